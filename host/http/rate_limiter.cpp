#include "http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace switchboard::http {

RateLimiter::RateLimiter(RateLimit limit, std::size_t maxKeys) : limit_(limit), maxKeys_(std::max<std::size_t>(1, maxKeys)) {
  if (limit_.burst <= 0) {
    limit_.burst = std::max(1.0, limit_.perSecond);
  }
}

std::size_t RateLimiter::trackedKeys() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void RateLimiter::evict(Clock::time_point now) {
  // A bucket that has refilled completely carries no information: dropping it changes nothing.
  auto refill = std::chrono::duration<double>(limit_.burst / limit_.perSecond);
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (now - it->second.updated >= refill) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  while (buckets_.size() >= maxKeys_) {
    auto oldest = std::min_element(buckets_.begin(), buckets_.end(),
                                   [](const auto& a, const auto& b) { return a.second.updated < b.second.updated; });
    buckets_.erase(oldest);
  }
}

unsigned RateLimiter::take(const std::string& key, Clock::time_point now) {
  if (!enabled()) {
    return 0;
  }
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= maxKeys_) {
      evict(now);
    }
    it = buckets_.emplace(key, Bucket{limit_.burst, now}).first;
  }
  auto& b = it->second;
  double elapsed = std::chrono::duration<double>(now - b.updated).count();
  if (elapsed > 0) {
    b.tokens = std::min(limit_.burst, b.tokens + elapsed * limit_.perSecond);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  double wait = (1.0 - b.tokens) / limit_.perSecond;
  return std::max(1U, static_cast<unsigned>(std::ceil(wait)));
}

}  // namespace switchboard::http
