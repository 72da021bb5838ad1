#include "connector/signal_record_cache.hpp"

#include <algorithm>

namespace switchboard::whatsapp::connector {

bool SignalRecordCache::caches(sdk::SignalTable table) {
  return table == sdk::SignalTable::Session || table == sdk::SignalTable::Identity ||
         table == sdk::SignalTable::SenderKey;
}

SignalRecordCache::Entry* SignalRecordCache::lookup(sdk::SignalTable table, std::string_view key) {
  for (auto& e : entries_) {
    if (e.table == table && e.key == key) {
      return &e;
    }
  }
  return nullptr;
}

const std::string* SignalRecordCache::find(sdk::SignalTable table, std::string_view key) {
  Entry* e = lookup(table, key);
  if (e == nullptr) {
    return nullptr;
  }
  e->used = ++clock_;
  return &e->value;
}

void SignalRecordCache::store(sdk::SignalTable table, std::string_view key, std::string value) {
  if (Entry* e = lookup(table, key)) {
    e->value = std::move(value);
    e->used = ++clock_;
    return;
  }
  if (entries_.size() >= kCapacity) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                   [](const Entry& a, const Entry& b) { return a.used < b.used; });
    *oldest = Entry{table, std::string(key), std::move(value), ++clock_};
    return;
  }
  entries_.push_back(Entry{table, std::string(key), std::move(value), ++clock_});
}

void SignalRecordCache::loaded(sdk::SignalTable table, std::string_view key, std::string value) {
  if (caches(table)) {
    store(table, key, std::move(value));
  }
}

void SignalRecordCache::committed(const std::vector<sdk::SignalRecordWrite>& writes) {
  for (const auto& w : writes) {
    if (!caches(w.table)) {
      continue;
    }
    if (w.value) {
      store(w.table, w.key, *w.value);
    } else if (Entry* e = lookup(w.table, w.key)) {
      if (e != &entries_.back()) {
        *e = std::move(entries_.back());
      }
      entries_.pop_back();
    }
  }
}

}  // namespace switchboard::whatsapp::connector
