#include "kafka/cloudevents_headers.hpp"

#include <google/protobuf/util/time_util.h>

#include <string_view>

#include "kafka/envelope_json.hpp"

namespace switchboard::host {
namespace {

void add(rd_kafka_headers_t* h, std::string_view name, std::string_view value) {
  if (!value.empty()) {
    rd_kafka_header_add(h, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
}

// Appends ms (since the epoch) as RFC 3339 UTC with milliseconds.
void appendRfc3339Ms(std::string& out, std::int64_t ms) {
  long long seconds = ms / 1000;
  long long millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  if (!appendRfc3339(out, seconds, static_cast<int>(millis * 1'000'000))) {
    out += google::protobuf::util::TimeUtil::ToString(google::protobuf::util::TimeUtil::MillisecondsToTimestamp(ms));
  }
}

}  // namespace

std::string rfc3339(std::int64_t ms) {
  std::string out;
  out.reserve(24);
  appendRfc3339Ms(out, ms);
  return out;
}

void addCloudEventHeaders(rd_kafka_headers_t* h, const OutboxRecord& r, Format format) {
  // Called for every record the relay produces: the two composed values are built in buffers that
  // keep their capacity, so composing them allocates nothing (librdkafka copies each value), and
  // only when they differ from the previous record's (a stream of one account's records, stored
  // within the same millisecond, mostly repeats both).
  thread_local std::string source, sourceTenant, sourceAccount, time;
  thread_local std::int64_t timeMs = 0;
  thread_local bool timeSet = false;
  const std::string_view tenant = r.tenant.empty() ? std::string_view(sdk::kDefaultTenant) : std::string_view(r.tenant);
  if (source.empty() || tenant != sourceTenant || r.account != sourceAccount) {
    sourceTenant.assign(tenant);
    sourceAccount.assign(r.account);
    source.assign("/switchboard/");
    source += tenant;
    source += '/';
    source += r.account;
  }
  if (!timeSet || r.createdAtMs != timeMs) {
    time.clear();
    appendRfc3339Ms(time, r.createdAtMs);
    timeMs = r.createdAtMs;
    timeSet = true;
  }
  add(h, header::kSpecVersion, "1.0");
  add(h, header::kId, r.ceId);
  add(h, header::kSource, source);
  add(h, header::kType, r.ceType);
  add(h, header::kTime, time);
  // A dead letter's value is whatever bytes arrived; claiming a content type for it would be a lie.
  if (r.topic != topic::kDlq) {
    add(h, header::kContentType, contentType(format));
  }
  add(h, header::kTenant, r.tenant);
  add(h, header::kAccount, r.account);
  add(h, header::kConversation, r.conversation);
  add(h, header::kAssignee, r.assignee);
}

std::map<std::string, std::string> readHeaders(const rd_kafka_message_t* message) {
  std::map<std::string, std::string> out;
  rd_kafka_headers_t* h = nullptr;
  if (rd_kafka_message_headers(message, &h) != RD_KAFKA_RESP_ERR_NO_ERROR || h == nullptr) {
    return out;
  }
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0; rd_kafka_header_get_all(h, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
    out[name] = value == nullptr ? std::string() : std::string(static_cast<const char*>(value), size);
  }
  return out;
}

}  // namespace switchboard::host
