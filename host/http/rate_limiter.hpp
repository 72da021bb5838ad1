#pragma once

// Token buckets per client key (an address, a token id). Bounded: at most `maxKeys` buckets are
// kept; when full, buckets idle long enough to be full again are dropped first, then the oldest,
// so a flood of distinct addresses costs memory only up to the bound.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace switchboard::http {

struct RateLimit {
  double perSecond = 0;  ///< sustained rate; 0 turns limiting off
  double burst = 0;      ///< bucket size; 0 means max(1, perSecond)
};

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(RateLimit limit, std::size_t maxKeys = 10000);

  /// Takes one token for `key`. Returns 0 when allowed, otherwise the seconds (rounded up, >= 1)
  /// until a token is available, for a Retry-After header.
  unsigned take(const std::string& key, Clock::time_point now = Clock::now());
  bool enabled() const { return limit_.perSecond > 0; }
  std::size_t trackedKeys() const;

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  void evict(Clock::time_point now);

  RateLimit limit_;
  std::size_t maxKeys_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace switchboard::http
