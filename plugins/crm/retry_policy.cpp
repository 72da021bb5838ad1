#include "retry_policy.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <ctime>

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
  double wait = static_cast<double>(retry.initialBackoff.count());
  for (int i = 1; i < attempts && wait < static_cast<double>(retry.maxBackoff.count()); ++i) {
    wait *= 2;
  }
  wait = std::min(wait, static_cast<double>(retry.maxBackoff.count()));
  wait -= wait * std::clamp(jitter, 0.0, 1.0) * 0.2;
  return std::chrono::milliseconds(std::max<long long>(1, static_cast<long long>(wait)));
}

std::optional<std::chrono::milliseconds> parseRetryAfter(const std::string& value, sdk::TimestampMs now) {
  auto begin = value.find_first_not_of(' ');
  if (begin == std::string::npos) {
    return std::nullopt;
  }
  auto end = value.find_last_not_of(' ') + 1;
  const char* first = value.data() + begin;
  const char* last = value.data() + end;
  long long seconds = 0;
  if (auto [p, ec] = std::from_chars(first, last, seconds); ec == std::errc() && p == last) {
    if (seconds < 0) {
      return std::nullopt;
    }
    return std::chrono::milliseconds(std::min<long long>(seconds, 10'000'000) * 1000);
  }
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  std::tm tm{};
  const std::string text(first, last);
  const char* rest = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (rest == nullptr || *rest != '\0') {
    return std::nullopt;
  }
  const long long at = static_cast<long long>(timegm(&tm)) * 1000;
  return std::chrono::milliseconds(std::max<long long>(0, at - now));
}

}  // namespace switchboard::crm
