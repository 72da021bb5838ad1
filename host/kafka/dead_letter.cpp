#include "kafka/dead_letter.hpp"

#include "switchboard/v1/envelope.pb.h"

namespace switchboard::host {

DeadLetterSource deadLetterSourceOf(const rd_kafka_message_t* m) {
  DeadLetterSource source;
  source.topic = rd_kafka_topic_name(m->rkt);
  source.partition = m->partition;
  source.offset = m->offset;
  if (m->key != nullptr) {
    source.key.assign(static_cast<const char*>(m->key), m->key_len);
  }
  if (m->payload != nullptr) {
    source.value.assign(static_cast<const char*>(m->payload), m->len);
  }
  return source;
}
namespace {

void add(rd_kafka_headers_t* h, const char* name, const std::string& value) {
  rd_kafka_header_add(h, name, -1, value.data(), static_cast<ssize_t>(value.size()));
}

}  // namespace

sdk::Result<DeadLetterWire> deadLetterWire(const OutboxRecord& record, rd_kafka_headers_t* headers) {
  v1::Envelope env;
  if (!env.ParseFromString(record.payload) || env.body_case() != v1::Envelope::kDeadLetter) {
    return sdk::Error::fatal("kafka.corrupt_payload", "dead-letter outbox row " + std::to_string(record.seq) +
                                                          " does not hold a switchboard.v1.DeadLetter");
  }
  const auto& d = env.dead_letter();
  add(headers, header::kDlqReason, d.reason());
  add(headers, header::kDlqCode, d.error_code());
  add(headers, header::kDlqStage, d.stage());
  add(headers, header::kDlqTopic, d.source_topic());
  add(headers, header::kDlqPartition, std::to_string(d.source_partition()));
  add(headers, header::kDlqOffset, std::to_string(d.source_offset()));
  return DeadLetterWire{d.original_key(), d.original_value()};
}

}  // namespace switchboard::host
