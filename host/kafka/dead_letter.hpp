#pragma once

// Dead letters on the wire, the way Kafka Connect writes them: original key and value untouched,
// the reason and the source (topic, partition, offset) in headers.

#include <librdkafka/rdkafka.h>

#include <string>

#include "kafka/envelope.hpp"
#include "storage/store.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::host {

namespace header {
inline constexpr const char* kDlqReason = "sb-dlq-reason";
inline constexpr const char* kDlqCode = "sb-dlq-code";
inline constexpr const char* kDlqStage = "sb-dlq-stage";
inline constexpr const char* kDlqTopic = "sb-dlq-topic";
inline constexpr const char* kDlqPartition = "sb-dlq-partition";
inline constexpr const char* kDlqOffset = "sb-dlq-offset";
}  // namespace header

struct DeadLetterWire {
  std::string key;
  std::string value;
};

/// The consumed record `m` as the source of a dead letter: its topic, partition, offset, and
/// its key and value copied as they are.
DeadLetterSource deadLetterSourceOf(const rd_kafka_message_t* m);

/// Unpacks a stored dead-letter record (its payload is an Envelope with a DeadLetter body), adds
/// the sb-dlq-* headers and returns the original key and value.
sdk::Result<DeadLetterWire> deadLetterWire(const OutboxRecord& record, rd_kafka_headers_t* headers);

}  // namespace switchboard::host
