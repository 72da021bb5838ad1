#include "signal/transaction.hpp"

#include <algorithm>

namespace switchboard::whatsapp {

sdk::Result<std::optional<Bytes>> SignalTransaction::get(SignalTable table, std::string_view key) {
  auto it = writes_.find(std::pair{table, std::string(key)});
  if (it != writes_.end()) {
    return it->second;
  }
  return backing_.get(table, key);
}

sdk::Status SignalTransaction::put(SignalTable table, std::string_view key, ByteView value) {
  writes_[std::pair{table, std::string(key)}] = Bytes(value.begin(), value.end());
  return sdk::okStatus();
}

sdk::Status SignalTransaction::remove(SignalTable table, std::string_view key) {
  writes_[std::pair{table, std::string(key)}] = std::nullopt;
  return sdk::okStatus();
}

sdk::Result<std::vector<std::string>> SignalTransaction::keys(SignalTable table, std::string_view prefix) {
  auto below = backing_.keys(table, prefix);
  if (!below.ok()) {
    return below.takeError();
  }
  std::vector<std::string> out = std::move(below).value();
  // Merge: buffered puts add keys, buffered removes hide them.
  for (auto it = writes_.lower_bound(std::pair{table, std::string(prefix)});
       it != writes_.end() && it->first.first == table && it->first.second.starts_with(prefix); ++it) {
    const std::string& key = it->first.second;
    auto pos = std::lower_bound(out.begin(), out.end(), key);
    bool present = pos != out.end() && *pos == key;
    if (it->second && !present) {
      out.insert(pos, key);
    } else if (!it->second && present) {
      out.erase(pos);
    }
  }
  return out;
}

std::vector<SignalChange> SignalTransaction::changes() const {
  std::vector<SignalChange> out;
  out.reserve(writes_.size());
  for (const auto& [k, v] : writes_) {
    out.push_back(SignalChange{k.first, k.second, v});
  }
  return out;
}

sdk::Status SignalTransaction::commit() {
  SB_TRY(applySignalChanges(backing_, changes()));
  writes_.clear();
  return sdk::okStatus();
}

}  // namespace switchboard::whatsapp
