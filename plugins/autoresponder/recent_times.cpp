#include "recent_times.hpp"

#include <algorithm>
#include <vector>

namespace switchboard::autoresponder {

void RecentTimes::put(const std::string& key, sdk::TimestampMs at) {
  if (times_.size() >= maxKeys_ && times_.count(key) == 0) {
    for (auto it = times_.begin(); it != times_.end();) {
      it = at - it->second > horizonMs_ ? times_.erase(it) : std::next(it);
    }
    if (times_.size() >= maxKeys_ - maxKeys_ / 10) {
      // Nearly all recent: keep the newer half (freeing a good share, so the next key does not
      // scan again).
      std::vector<sdk::TimestampMs> all;
      all.reserve(times_.size());
      for (const auto& [k, t] : times_) {
        all.push_back(t);
      }
      auto mid = all.begin() + static_cast<std::ptrdiff_t>(all.size() / 2);
      std::nth_element(all.begin(), mid, all.end());
      const auto cutoff = *mid;
      for (auto it = times_.begin(); it != times_.end();) {
        it = it->second <= cutoff ? times_.erase(it) : std::next(it);
      }
    }
  }
  auto& t = times_[key];
  t = std::max(t, at);
}

std::optional<sdk::TimestampMs> RecentTimes::get(const std::string& key) const {
  auto it = times_.find(key);
  return it == times_.end() ? std::nullopt : std::optional<sdk::TimestampMs>(it->second);
}

bool RecentTimes::within(const std::string& key, sdk::TimestampMs now, std::int64_t withinMs) const {
  auto t = get(key);
  return t && now - *t < withinMs;
}

}  // namespace switchboard::autoresponder
