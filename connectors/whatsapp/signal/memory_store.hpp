#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "signal/store.hpp"

namespace switchboard::whatsapp {

/// A SignalStore in memory: the simulator's phones and the tests. Safe to call from several
/// threads (one mutex); copying it snapshots the state.
class MemorySignalStore final : public SignalStore {
 public:
  MemorySignalStore() = default;
  MemorySignalStore(const MemorySignalStore& other);
  MemorySignalStore& operator=(const MemorySignalStore& other);

  sdk::Result<std::optional<Bytes>> get(SignalTable table, std::string_view key) override;
  sdk::Status put(SignalTable table, std::string_view key, ByteView value) override;
  sdk::Status remove(SignalTable table, std::string_view key) override;
  sdk::Result<std::vector<std::string>> keys(SignalTable table, std::string_view prefix) override;

  /// Rows in one table.
  std::size_t size(SignalTable table) const;
  /// Everything, for comparisons in tests.
  std::map<std::pair<SignalTable, std::string>, Bytes> rows() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<SignalTable, std::string>, Bytes, std::less<>> rows_;
};

}  // namespace switchboard::whatsapp
