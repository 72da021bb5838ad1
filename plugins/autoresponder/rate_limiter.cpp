#include "rate_limiter.hpp"

#include <algorithm>

namespace switchboard::autoresponder {

RateLimiter::RateLimiter(int limit, std::int64_t windowMs, std::size_t maxKeys)
    : limit_(static_cast<std::size_t>(std::max(1, limit))), windowMs_(windowMs), maxKeys_(std::max<std::size_t>(maxKeys, 1)) {}

sdk::TimestampMs RateLimiter::nextAllowed(const std::string& key, sdk::TimestampMs now) const {
  auto it = events_.find(key);
  if (it == events_.end() || it->second.times.size() < limit_) {
    return now;
  }
  return std::max(now, it->second.times[it->second.head] + windowMs_);
}

bool RateLimiter::allows(const std::string& key, sdk::TimestampMs now) const { return nextAllowed(key, now) <= now; }

void RateLimiter::record(const std::string& key, sdk::TimestampMs now) {
  if (events_.size() >= maxKeys_ && events_.count(key) == 0) {
    prune(now);
  }
  auto& ring = events_[key];
  if (ring.times.size() < limit_) {
    ring.times.push_back(now);
  } else {
    ring.times[ring.head] = now;
    ring.head = (ring.head + 1) % limit_;
  }
  ring.newest = std::max(ring.newest, now);
}

void RateLimiter::prune(sdk::TimestampMs now) {
  for (auto it = events_.begin(); it != events_.end();) {
    it = now - it->second.newest >= windowMs_ ? events_.erase(it) : std::next(it);
  }
  // Still nearly full of active keys: forget the least recently active half rather than grow, and
  // rather than pruning again at the next new key (which would make every insertion a full scan).
  if (events_.size() >= maxKeys_ - maxKeys_ / 10) {
    std::vector<sdk::TimestampMs> newest;
    newest.reserve(events_.size());
    for (const auto& [k, ring] : events_) {
      newest.push_back(ring.newest);
    }
    auto mid = newest.begin() + static_cast<std::ptrdiff_t>(newest.size() / 2);
    std::nth_element(newest.begin(), mid, newest.end());
    const auto cutoff = *mid;
    for (auto it = events_.begin(); it != events_.end();) {
      it = it->second.newest <= cutoff ? events_.erase(it) : std::next(it);
    }
  }
}

}  // namespace switchboard::autoresponder
