#include "signal/store.hpp"

#include <array>
#include <utility>

namespace switchboard::whatsapp {

namespace {

constexpr std::array<std::pair<SignalTable, std::string_view>, 6> kTables{{
    {SignalTable::LocalIdentity, "local_identity"},
    {SignalTable::Identity, "identity"},
    {SignalTable::Session, "session"},
    {SignalTable::PreKey, "prekey"},
    {SignalTable::SignedPreKey, "signed_prekey"},
    {SignalTable::SenderKey, "sender_key"},
}};

}  // namespace

std::string_view signalTableName(SignalTable table) {
  for (const auto& [t, name] : kTables) {
    if (t == table) {
      return name;
    }
  }
  return "unknown";
}

std::optional<SignalTable> parseSignalTable(std::string_view name) {
  for (const auto& [t, n] : kTables) {
    if (n == name) {
      return t;
    }
  }
  return std::nullopt;
}

sdk::Status applySignalChanges(SignalStore& store, const std::vector<SignalChange>& changes) {
  for (const auto& change : changes) {
    if (change.value) {
      SB_TRY(store.put(change.table, change.key, *change.value));
    } else {
      SB_TRY(store.remove(change.table, change.key));
    }
  }
  return sdk::okStatus();
}

sdk::Result<std::size_t> removeAllSessions(SignalStore& store, std::string_view name) {
  std::string prefix(name);
  prefix += '.';
  auto keys = store.keys(SignalTable::Session, prefix);
  if (!keys.ok()) {
    return keys.takeError();
  }
  std::size_t removed = 0;
  for (const auto& key : *keys) {
    // `name.` also prefixes `name.x.y`; only `name.<device digits>` belongs to this name.
    std::string_view device = std::string_view(key).substr(prefix.size());
    if (device.empty() || device.find_first_not_of("0123456789") != std::string_view::npos) {
      continue;
    }
    SB_TRY(store.remove(SignalTable::Session, key));
    ++removed;
  }
  return removed;
}

std::string preKeyStoreKey(std::uint32_t id) { return std::to_string(id); }

}  // namespace switchboard::whatsapp
