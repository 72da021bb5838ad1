#pragma once

// At most `limit` events per key within any `window` (an exact sliding window: the last `limit`
// event times are kept per key). Keys idle for longer than the window are dropped once the map
// holds more than `maxKeys`, so memory stays bounded however many conversations pass through.

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "switchboard/sdk/types.hpp"

namespace switchboard::autoresponder {

class RateLimiter {
 public:
  RateLimiter(int limit, std::int64_t windowMs, std::size_t maxKeys = 100'000);

  /// Would one more event for `key` at `now` stay within the limit?
  bool allows(const std::string& key, sdk::TimestampMs now) const;
  /// Counts an event.
  void record(const std::string& key, sdk::TimestampMs now);
  /// When the next event for `key` would be allowed (now if it is).
  sdk::TimestampMs nextAllowed(const std::string& key, sdk::TimestampMs now) const;

  std::size_t keys() const { return events_.size(); }

 private:
  struct Ring {
    std::vector<sdk::TimestampMs> times;  // up to limit_ entries
    std::size_t head = 0;                 // oldest entry once full
    sdk::TimestampMs newest = 0;
  };
  void prune(sdk::TimestampMs now);

  std::size_t limit_;
  std::int64_t windowMs_;
  std::size_t maxKeys_;
  std::unordered_map<std::string, Ring> events_;
};

}  // namespace switchboard::autoresponder
