#include "connector/signal_store_adapter.hpp"

namespace switchboard::whatsapp::connector {

std::optional<sdk::SignalTable> hostTable(SignalTable table) {
  switch (table) {
    case SignalTable::LocalIdentity: return std::nullopt;
    case SignalTable::Identity: return sdk::SignalTable::Identity;
    case SignalTable::Session: return sdk::SignalTable::Session;
    case SignalTable::PreKey: return sdk::SignalTable::PreKey;
    case SignalTable::SignedPreKey: return sdk::SignalTable::SignedPreKey;
    case SignalTable::SenderKey: return sdk::SignalTable::SenderKey;
  }
  return std::nullopt;
}

sdk::Result<std::optional<Bytes>> StoredSignalStore::get(SignalTable table, std::string_view key) {
  auto host = hostTable(table);
  if (!host) {
    return localIdentity_;
  }
  if (const std::string* held = cache_.find(*host, key)) {
    return std::optional<Bytes>(Bytes(held->begin(), held->end()));
  }
  auto v = storage_.getSignal(account_, *host, std::string(key));
  SB_TRY(v);
  if (!v.value()) {
    return std::optional<Bytes>();
  }
  std::optional<Bytes> out(Bytes(v.value()->begin(), v.value()->end()));
  cache_.loaded(*host, key, std::move(*v.value()));
  return out;
}

sdk::Status StoredSignalStore::put(SignalTable table, std::string_view key, ByteView value) {
  auto host = hostTable(table);
  if (!host) {
    localIdentity_ = Bytes(value.begin(), value.end());
    return sdk::okStatus();
  }
  return putCommitted({{*host, std::string(key), std::string(asChars(value))}});
}

sdk::Status StoredSignalStore::putCommitted(const std::vector<sdk::SignalRecordWrite>& writes) {
  auto s = storage_.putSignal(account_, writes);
  if (s.ok()) {
    cache_.committed(writes);
  } else {
    cache_.clear();  // committed or not, we cannot tell: the database decides from now on
  }
  return s;
}

sdk::Status StoredSignalStore::remove(SignalTable table, std::string_view key) {
  auto host = hostTable(table);
  if (!host) {
    localIdentity_.reset();
    return sdk::okStatus();
  }
  auto s = storage_.removeSignal(account_, *host, std::string(key));
  if (s.ok()) {
    cache_.committed({{*host, std::string(key), std::nullopt}});
  } else {
    cache_.clear();
  }
  return s;
}

sdk::Result<std::vector<std::string>> StoredSignalStore::keys(SignalTable table, std::string_view) {
  return sdk::Error::permanent("whatsapp.signal_store.no_listing",
                               "the connector's Signal store cannot list the keys of table " +
                                   std::string(signalTableName(table)));
}

std::vector<sdk::SignalRecordWrite> toRecordWrites(const std::vector<SignalChange>& changes) {
  std::vector<sdk::SignalRecordWrite> out;
  out.reserve(changes.size());
  for (const auto& c : changes) {
    auto host = hostTable(c.table);
    if (!host) {
      continue;  // our identity never changes through a message
    }
    sdk::SignalRecordWrite w{*host, c.key, std::nullopt};
    if (c.value) {
      w.value = std::string(asChars(*c.value));
    }
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace switchboard::whatsapp::connector
