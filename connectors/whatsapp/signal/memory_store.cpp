#include "signal/memory_store.hpp"

namespace switchboard::whatsapp {

MemorySignalStore::MemorySignalStore(const MemorySignalStore& other) : SignalStore() {
  std::lock_guard lock(other.mutex_);
  rows_ = other.rows_;
}

MemorySignalStore& MemorySignalStore::operator=(const MemorySignalStore& other) {
  if (this != &other) {
    std::scoped_lock lock(mutex_, other.mutex_);
    rows_ = other.rows_;
  }
  return *this;
}

sdk::Result<std::optional<Bytes>> MemorySignalStore::get(SignalTable table, std::string_view key) {
  std::lock_guard lock(mutex_);
  auto it = rows_.find(std::pair{table, std::string(key)});
  if (it == rows_.end()) {
    return std::optional<Bytes>{};
  }
  return std::optional<Bytes>{it->second};
}

sdk::Status MemorySignalStore::put(SignalTable table, std::string_view key, ByteView value) {
  std::lock_guard lock(mutex_);
  rows_[std::pair{table, std::string(key)}] = Bytes(value.begin(), value.end());
  return sdk::okStatus();
}

sdk::Status MemorySignalStore::remove(SignalTable table, std::string_view key) {
  std::lock_guard lock(mutex_);
  rows_.erase(std::pair{table, std::string(key)});
  return sdk::okStatus();
}

sdk::Result<std::vector<std::string>> MemorySignalStore::keys(SignalTable table, std::string_view prefix) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (auto it = rows_.lower_bound(std::pair{table, std::string(prefix)});
       it != rows_.end() && it->first.first == table && it->first.second.starts_with(prefix); ++it) {
    out.push_back(it->first.second);
  }
  return out;
}

std::size_t MemorySignalStore::size(SignalTable table) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [k, v] : rows_) {
    n += k.first == table ? 1 : 0;
  }
  return n;
}

std::map<std::pair<SignalTable, std::string>, Bytes> MemorySignalStore::rows() const {
  std::lock_guard lock(mutex_);
  return {rows_.begin(), rows_.end()};
}

}  // namespace switchboard::whatsapp
