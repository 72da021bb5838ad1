#pragma once

// Consumes `outbound` in a consumer group. Each command is parsed, validated, stored (idempotent
// by command id, with its `accepted` result queued in the same store call) and handed to the
// pipeline; only then is its offset stored for commit. A record that does not parse or validate
// is queued for `dlq` (durably, through the outbox) before its offset is stored, and so is a
// command naming another tenant than its account's; a suspended tenant's command, or one over
// its tenant's quota, is stored with a failed result (TenantCommandGate). The consumer
// never stops on bad input; on a database error it retries the same record.

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <memory>
#include <thread>

#include <spdlog/logger.h>

#include "kafka/kafka_config.hpp"
#include "kafka/kafka_metrics.hpp"
#include "kafka/rdkafka_util.hpp"
#include "pipeline/command_sink.hpp"
#include "storage/command_gate.hpp"
#include "storage/store.hpp"

namespace switchboard::host {

class CommandConsumer {
 public:
  /// `onQueued` is called after something was queued in the outbox (results, dead letters) so the
  /// relay can produce it at once.
  CommandConsumer(KafkaSettings settings, std::string bootstrap, std::shared_ptr<Store> store, CommandSink& sink,
                  KafkaMetrics& metrics, std::function<void()> onQueued);
  ~CommandConsumer();
  CommandConsumer(const CommandConsumer&) = delete;
  CommandConsumer& operator=(const CommandConsumer&) = delete;

  sdk::Status start();
  /// Commits stored offsets and leaves the group.
  void stop();

 private:
  enum class Outcome { Done, Retry };
  void run();
  Outcome handle(const rd_kafka_message_t* m);
  Outcome deadLetter(const rd_kafka_message_t* m, const sdk::Error& error, const char* stage);
  /// A stored command tenancy refuses (suspended tenant, quota): its failed result on `results`.
  Outcome refuse(const sdk::OutboundCommand& command, const sdk::Error& error);
  Format formatOf(const rd_kafka_message_t* m) const;

  KafkaSettings settings_;
  std::string bootstrap_;
  std::shared_ptr<Store> store_;
  CommandSink& sink_;
  KafkaMetrics& metrics_;
  std::function<void()> onQueued_;
  std::shared_ptr<spdlog::logger> log_;
  TenantCommandGate gate_;
  RdKafkaPtr consumer_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace switchboard::host
