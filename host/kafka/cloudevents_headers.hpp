#pragma once

// CloudEvents Kafka protocol binding (binary content mode) plus Switchboard's routing headers.

#include <librdkafka/rdkafka.h>

#include <map>
#include <string>

#include "kafka/envelope.hpp"
#include "storage/store.hpp"

namespace switchboard::host {

namespace header {
inline constexpr const char* kSpecVersion = "ce_specversion";
inline constexpr const char* kId = "ce_id";
inline constexpr const char* kSource = "ce_source";
inline constexpr const char* kType = "ce_type";
inline constexpr const char* kTime = "ce_time";
inline constexpr const char* kContentType = "content-type";
inline constexpr const char* kTenant = "sb-tenant";
inline constexpr const char* kAccount = "sb-account";
inline constexpr const char* kConversation = "sb-conversation";
inline constexpr const char* kAssignee = "sb-assignee";
}  // namespace header

/// Adds the CloudEvents and sb-* headers of a stored record; empty values are omitted.
void addCloudEventHeaders(rd_kafka_headers_t* headers, const OutboxRecord& record, Format format);

/// The last value of each header of a consumed message (tests, the consumer's format detection).
std::map<std::string, std::string> readHeaders(const rd_kafka_message_t* message);

/// RFC 3339 UTC with milliseconds, as ce_time carries it.
std::string rfc3339(std::int64_t ms);

}  // namespace switchboard::host
