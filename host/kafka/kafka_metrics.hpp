#pragma once

// The bridge's metrics, looked up once (the registry hands out references that live as long as it).

#include "common/metrics.hpp"

namespace switchboard::host {

struct KafkaMetrics {
  explicit KafkaMetrics(MetricsRegistry& r)
      : registry(r),
        produced(r.counter("kafka_produced_total", "Records produced to Kafka with a successful delivery report")),
        produceFailed(r.counter("kafka_produce_failed_total",
                                "Delivery failures (timeout, purge, broker error); the record stays pending")),
        producerRecreated(r.counter("kafka_producer_recreated_total", "Producers re-created after a failure")),
        consumed(r.counter("kafka_consumed_total", "Records consumed from the outbound topic")),
        commandsStored(r.counter("kafka_commands_stored_total", "Commands stored (first time seen)")),
        commandsDuplicate(r.counter("kafka_commands_duplicate_total", "Commands whose command_id was seen before")),
        deadLettered(r.counter("kafka_dead_lettered_total", "Records sent to the dead-letter topic")),
        storeErrors(r.counter("kafka_store_errors_total", "Database errors seen by the bridge (retried)")),
        replayed(r.counter("kafka_replayed_total", "Records re-published by replay")),
        outboxDepth(r.gauge("kafka_outbox_depth", "Outbox rows waiting for a delivery report")),
        outboxOverLimit(r.gauge("kafka_outbox_over_limit", "1 while the outbox is above kafka.outbox_limit")),
        inFlight(r.gauge("kafka_in_flight", "Records handed to librdkafka and not yet acknowledged")),
        deliveryLatency(r.histogram("kafka_delivery_latency_seconds", "From produce call to delivery report")),
        outboxLatency(r.histogram("kafka_outbox_latency_seconds", "From outbox insert to delivery report")) {}

  MetricsRegistry& registry;  // for labelled series (tenant_quota_exceeded_total)
  sdk::Counter& produced;
  sdk::Counter& produceFailed;
  sdk::Counter& producerRecreated;
  sdk::Counter& consumed;
  sdk::Counter& commandsStored;
  sdk::Counter& commandsDuplicate;
  sdk::Counter& deadLettered;
  sdk::Counter& storeErrors;
  sdk::Counter& replayed;
  sdk::Gauge& outboxDepth;
  sdk::Gauge& outboxOverLimit;
  sdk::Gauge& inFlight;
  sdk::Histogram& deliveryLatency;
  sdk::Histogram& outboxLatency;
};

}  // namespace switchboard::host
