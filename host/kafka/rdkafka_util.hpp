#pragma once

// Small RAII and error-classification helpers around the librdkafka C API.

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"

namespace switchboard::host {

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using RdKafkaPtr = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;

struct RdQueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
/// Must be destroyed before the client it belongs to.
using RdQueuePtr = std::unique_ptr<rd_kafka_queue_t, RdQueueDeleter>;

struct RdConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using RdConfPtr = std::unique_ptr<rd_kafka_conf_t, RdConfDeleter>;

/// A configuration with every property set; the error names the property (never its value) and
/// librdkafka's sentence.
sdk::Result<RdConfPtr> makeConf(const std::map<std::string, std::string>& properties);

/// Sets one property on an existing configuration.
sdk::Status setConf(rd_kafka_conf_t* conf, const std::string& name, const std::string& value);

/// Creates a client; takes ownership of `conf` on success and on failure.
sdk::Result<RdKafkaPtr> makeClient(rd_kafka_type_t type, RdConfPtr conf);

/// Classifies a librdkafka error: Fatal for fatal errors, Retriable for transient ones
/// (timeouts, transport, queue full, leader changes), Permanent otherwise.
sdk::Error kafkaError(rd_kafka_resp_err_t err, const std::string& context);

/// Subscribes a group consumer to `topics` (replacing what it had).
sdk::Status subscribeTopics(rd_kafka_t* consumer, const std::vector<std::string>& topics);

/// Marks `m` handled: its partition's stored offset moves past it, for auto-commit to commit
/// (auto-commit commits stored offsets only). Returns librdkafka's answer.
rd_kafka_resp_err_t storeOffsetAfter(rd_kafka_t* consumer, const rd_kafka_message_t* m);

}  // namespace switchboard::host

namespace switchboard::host {

struct KafkaSettings;

/// Properties for one client of the bridge: our defaults, then kafka.properties (entries named
/// "producer.*" / "consumer.*" apply to that client only, without the prefix), then what the
/// bridge's guarantees require (idempotence, acks=all, manual offset store), which cannot be
/// overridden.
std::map<std::string, std::string> clientProperties(const KafkaSettings& settings, const std::string& bootstrap,
                                                    rd_kafka_type_t type);

/// Sends librdkafka's log lines and error callbacks to the "kafka" logger.
void routeLogs(rd_kafka_conf_t* conf);

/// Logs a client error as routeLogs' error callback does: for clients that receive their errors
/// as events (RD_KAFKA_EVENT_ERROR) instead.
void logClientError(rd_kafka_t* rk, rd_kafka_resp_err_t err, const char* reason);

}  // namespace switchboard::host
