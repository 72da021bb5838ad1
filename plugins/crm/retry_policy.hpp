#pragma once

// What to do with a CRM answer, and how long to wait before the next attempt: exponential backoff
// after failures, the CRM's own Retry-After after a 429.

#include <chrono>
#include <optional>
#include <string>

#include "crm_config.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::crm {

enum class Verdict {
  Delivered,    ///< 2xx
  RateLimited,  ///< 429: wait as told, not counted as a failure
  Retry,        ///< 5xx, 408, no answer: a failure, retried with backoff, dead-lettered after N
  Reject,       ///< other 4xx: repeating the same request cannot succeed; dead-lettered at once
};

Verdict classify(unsigned status);

/// The wait after the `attempts`-th failure: initial * 2^(attempts-1), at most max, less a random
/// share of up to `jitter` (0..1) so many items do not retry in step.
std::chrono::milliseconds backoffAfter(int attempts, const RetrySettings& retry, double jitter);

/// A Retry-After value: delta-seconds or an HTTP date (IMF-fixdate). nullopt when unreadable.
std::optional<std::chrono::milliseconds> parseRetryAfter(const std::string& value, sdk::TimestampMs now);

}  // namespace switchboard::crm
