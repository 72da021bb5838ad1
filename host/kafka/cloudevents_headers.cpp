#include "kafka/cloudevents_headers.hpp"

#include <google/protobuf/util/time_util.h>

#include "kafka/envelope_json.hpp"

namespace switchboard::host {
namespace {

void add(rd_kafka_headers_t* h, const char* name, const std::string& value) {
  if (!value.empty()) {
    rd_kafka_header_add(h, name, -1, value.data(), static_cast<ssize_t>(value.size()));
  }
}

}  // namespace

std::string rfc3339(std::int64_t ms) {
  long long seconds = ms / 1000;
  long long millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  std::string out;
  out.reserve(24);
  if (!appendRfc3339(out, seconds, static_cast<int>(millis * 1'000'000))) {
    return google::protobuf::util::TimeUtil::ToString(google::protobuf::util::TimeUtil::MillisecondsToTimestamp(ms));
  }
  return out;
}

void addCloudEventHeaders(rd_kafka_headers_t* h, const OutboxRecord& r, Format format) {
  add(h, header::kSpecVersion, "1.0");
  add(h, header::kId, r.ceId);
  add(h, header::kSource, "/switchboard/" + (r.tenant.empty() ? std::string(sdk::kDefaultTenant) : r.tenant) + "/" +
                              r.account);
  add(h, header::kType, r.ceType);
  add(h, header::kTime, rfc3339(r.createdAtMs));
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
