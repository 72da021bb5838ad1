#pragma once

// A bounded map from a key to the time something last happened (a rule fired in a conversation,
// a person replied in it, we sent a message with this network id). Entries older than `horizon`
// are dropped when the map is full, so it never grows past `maxKeys`.

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

#include "switchboard/sdk/types.hpp"

namespace switchboard::autoresponder {

class RecentTimes {
 public:
  RecentTimes(std::int64_t horizonMs, std::size_t maxKeys) : horizonMs_(horizonMs), maxKeys_(maxKeys) {}

  void put(const std::string& key, sdk::TimestampMs at);
  std::optional<sdk::TimestampMs> get(const std::string& key) const;
  void erase(const std::string& key) { times_.erase(key); }
  /// Did `key` happen within `withinMs` before `now`?
  bool within(const std::string& key, sdk::TimestampMs now, std::int64_t withinMs) const;
  std::size_t size() const { return times_.size(); }
  void setHorizon(std::int64_t horizonMs) { horizonMs_ = horizonMs; }

 private:
  std::int64_t horizonMs_;
  std::size_t maxKeys_;
  std::unordered_map<std::string, sdk::TimestampMs> times_;
};

}  // namespace switchboard::autoresponder
