#pragma once

// The account's most recently used Signal records (sessions, identities, sender keys) as last
// committed to the database, kept in memory so a message from a peer we just heard from decrypts
// without reading and unsealing its session row again. Only committed values enter: a write is
// remembered after the database took it, so a failed commit never leaves the cache ahead of it.
// Bounded (kCapacity records per account, the least recently used go first).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/sdk/connector_storage.hpp"

namespace switchboard::whatsapp::connector {

class SignalRecordCache {
 public:
  static constexpr std::size_t kCapacity = 32;

  /// Whether records of this table are kept (prekeys are read once, then removed: not worth it).
  static bool caches(sdk::SignalTable table);

  /// The committed record, when held; nullptr when unknown (ask the database).
  const std::string* find(sdk::SignalTable table, std::string_view key);
  /// A record read from the database.
  void loaded(sdk::SignalTable table, std::string_view key, std::string value);
  /// Writes the database committed (a removal forgets the record).
  void committed(const std::vector<sdk::SignalRecordWrite>& writes);
  /// After a write whose outcome is unknown, or a new connection: forget everything.
  void clear() { entries_.clear(); }

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    sdk::SignalTable table;
    std::string key;
    std::string value;
    std::uint64_t used = 0;
  };
  Entry* lookup(sdk::SignalTable table, std::string_view key);
  void store(sdk::SignalTable table, std::string_view key, std::string value);

  std::vector<Entry> entries_;  // a handful: a linear scan beats a map's allocations
  std::uint64_t clock_ = 0;
};

}  // namespace switchboard::whatsapp::connector
