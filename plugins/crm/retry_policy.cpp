#include "retry_policy.hpp"

#include "switchboard/sdk/retry.hpp"

namespace switchboard::crm {

Verdict classify(unsigned status) {
  if (status >= 200 && status < 300) {
    return Verdict::Delivered;
  }
  if (status == 429) {
    return Verdict::RateLimited;
  }
  if (status == 408 || status >= 500 || status < 200) {
    return Verdict::Retry;
  }
  return Verdict::Reject;
}

std::chrono::milliseconds backoffAfter(int attempts, const RetrySettings& retry, double jitter) {
  return sdk::retry::backoffAfter(attempts, retry.initialBackoff, retry.maxBackoff, jitter);
}

std::optional<std::chrono::milliseconds> parseRetryAfter(const std::string& value, sdk::TimestampMs now) {
  return sdk::retry::parseRetryAfter(value, now);
}

}  // namespace switchboard::crm
