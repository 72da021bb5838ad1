#include "kafka/rdkafka_util.hpp"

namespace switchboard::host {

sdk::Status setConf(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    return sdk::Error::permanent("config.kafka", "kafka property " + name + ": " + err);
  }
  return sdk::okStatus();
}

sdk::Result<RdConfPtr> makeConf(const std::map<std::string, std::string>& properties) {
  RdConfPtr conf(rd_kafka_conf_new());
  for (const auto& [k, v] : properties) {
    SB_TRY(setConf(conf.get(), k, v));
  }
  return conf;
}

sdk::Result<RdKafkaPtr> makeClient(rd_kafka_type_t type, RdConfPtr conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof(err));
  if (rk == nullptr) {
    return sdk::Error::permanent("kafka.client", std::string("cannot create Kafka client: ") + err);
  }
  conf.release();  // rd_kafka_new took it.
  return RdKafkaPtr(rk);
}

sdk::Error kafkaError(rd_kafka_resp_err_t err, const std::string& context) {
  std::string msg = context + ": " + rd_kafka_err2str(err) + " (" + rd_kafka_err2name(err) + ")";
  switch (err) {
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR__FENCED:
    case RD_KAFKA_RESP_ERR_PRODUCER_FENCED:
    case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH:
    case RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID:
    case RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER:
      return sdk::Error::fatal("kafka.fatal", msg);
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__PURGE_QUEUE:
    case RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
      return sdk::Error::retriable("kafka.unavailable", msg);
    default:
      return sdk::Error::permanent("kafka.error", msg);
  }
}

}  // namespace switchboard::host

#include "common/logging.hpp"
#include "kafka/kafka_config.hpp"

namespace switchboard::host {
namespace {

void logCallback(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  static auto log = componentLogger("kafka");
  const char* name = rk == nullptr ? "" : rd_kafka_name(rk);
  if (level <= 3) {
    log->error("librdkafka {} {}: {}", name, fac, buf);
  } else if (level <= 4) {
    log->warn("librdkafka {} {}: {}", name, fac, buf);
  } else if (level <= 6) {
    log->info("librdkafka {} {}: {}", name, fac, buf);
  } else {
    log->debug("librdkafka {} {}: {}", name, fac, buf);
  }
}

void errorCallback(rd_kafka_t* rk, int err, const char* reason, void*) {
  logClientError(rk, static_cast<rd_kafka_resp_err_t>(err), reason);
}

}  // namespace

void logClientError(rd_kafka_t* rk, rd_kafka_resp_err_t err, const char* reason) {
  static auto log = componentLogger("kafka");
  // Broker-down and similar transient errors are retried by librdkafka; they only deserve a warning.
  auto e = kafkaError(err, reason == nullptr ? "" : reason);
  if (e.isFatal()) {
    log->error("{}: {} client_error={}", rd_kafka_name(rk), e.message, e.code);
  } else {
    log->warn("{}: {}", rd_kafka_name(rk), e.message);
  }
}

std::map<std::string, std::string> clientProperties(const KafkaSettings& s, const std::string& bootstrap,
                                                    rd_kafka_type_t type) {
  const bool producer = type == RD_KAFKA_PRODUCER;
  std::map<std::string, std::string> p;
  p["bootstrap.servers"] = bootstrap;
  p["client.id"] = s.clientId;
  p["log.connection.close"] = "false";
  if (producer) {
    p["linger.ms"] = std::to_string(s.lingerMs.count());
    // Infinite: the relay enforces kafka.message_timeout itself (see OutboxRelay::checkDeliveryTimeout).
    p["message.timeout.ms"] = "0";
    p["queue.buffering.max.messages"] = std::to_string(s.maxInFlight + 1000);
    p["queue.buffering.max.kbytes"] = "262144";
    p["batch.num.messages"] = "10000";
  } else {
    p["group.id"] = s.groupId;
    p["auto.offset.reset"] = "earliest";
    p["enable.auto.commit"] = "true";
    p["auto.commit.interval.ms"] = "500";
    p["session.timeout.ms"] = std::to_string(s.sessionTimeout.count());
    p["max.poll.interval.ms"] = std::to_string(s.maxPollInterval.count());
    p["heartbeat.interval.ms"] = std::to_string(s.heartbeatInterval.count());
    p["queued.max.messages.kbytes"] = "16384";
  }
  const std::string own = producer ? "producer." : "consumer.";
  const std::string other = producer ? "consumer." : "producer.";
  for (const auto& [k, v] : s.properties) {
    if (k.rfind(own, 0) == 0) {
      p[k.substr(own.size())] = v;
    } else if (k.rfind(other, 0) != 0) {
      p[k] = v;
    }
  }
  if (!s.brokers.empty() && !bootstrap.empty()) {
    p["bootstrap.servers"] = bootstrap;
  }
  if (producer) {
    p["message.timeout.ms"] = "0";
    p["enable.idempotence"] = "true";
    p["acks"] = "all";
  } else {
    p["enable.auto.offset.store"] = "false";
  }
  return p;
}

void routeLogs(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, logCallback);
  rd_kafka_conf_set_error_cb(conf, errorCallback);
}

sdk::Status subscribeTopics(rd_kafka_t* consumer, const std::vector<std::string>& topics) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
  for (const auto& t : topics) {
    rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  auto err = rd_kafka_subscribe(consumer, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafkaError(err, "subscribe to " + (topics.empty() ? std::string("no topic") : topics.front()));
  }
  return sdk::okStatus();
}

rd_kafka_resp_err_t storeOffsetAfter(rd_kafka_t* consumer, const rd_kafka_message_t* m) {
  auto* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, rd_kafka_topic_name(m->rkt), m->partition)->offset = m->offset + 1;
  auto err = rd_kafka_offsets_store(consumer, list);
  // The list holds a partition reference; leaking it would hang rd_kafka_destroy.
  rd_kafka_topic_partition_list_destroy(list);
  return err;
}

}  // namespace switchboard::host
