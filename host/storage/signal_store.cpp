#include <set>

#include "storage/account_lock.hpp"
#include "storage/fast_statement.hpp"
#include "storage/sql_store.hpp"

namespace switchboard::host::storage {

namespace {

const char* tableName(SignalWrite::Table t) {
  switch (t) {
    case SignalWrite::Table::Identity: return "signal_identities";
    case SignalWrite::Table::Session: return "signal_sessions";
    case SignalWrite::Table::PreKey: return "signal_prekeys";
    case SignalWrite::Table::SignedPreKey: return "signal_signed_prekeys";
    case SignalWrite::Table::SenderKey: return "signal_sender_keys";
  }
  return "signal_sessions";
}

constexpr int kTables = 5;

// One upsert and one delete per Signal table, prepared once per connection.
struct SignalStatements final : PreparedBase {
  std::string account, address, sealed;
  std::vector<std::unique_ptr<FastStatement>> upsert, remove;
  explicit SignalStatements(Connection& c) {
    for (int i = 0; i < kTables; ++i) {
      std::string table = tableName(static_cast<SignalWrite::Table>(i));
      upsert.push_back(std::make_unique<FastStatement>(
          c,
          "INSERT INTO " + table + " (account, address, sealed) VALUES (:a, :k, :v)"
                                   " ON CONFLICT (account, address) DO UPDATE SET sealed = excluded.sealed",
          std::vector<FastStatement::In>{&account, &address, &sealed}));
      remove.push_back(std::make_unique<FastStatement>(
          c, "DELETE FROM " + table + " WHERE account = :a AND address = :k",
          std::vector<FastStatement::In>{&account, &address}));
    }
  }
};

}  // namespace

void writeSignalRows(Connection& c, const KeySealer& sealer, const std::vector<SignalWrite>& writes) {
  if (writes.empty()) {
    return;
  }
  auto& s = c.get<SignalStatements>();
  for (const auto& w : writes) {
    s.account = w.account;
    s.address = w.key;
    auto index = static_cast<std::size_t>(w.table);
    if (w.value) {
      // Every Signal record holds private material (ratchet chains, prekeys, sender chains), so
      // all of them are sealed, not just the ones that look like keys.
      s.sealed = sealer.seal(*w.value);
      s.upsert[index]->execute();
    } else {
      s.remove[index]->execute();
    }
  }
}

std::size_t SignalBatch::SameRowHash::operator()(const SignalWrite* w) const {
  const std::size_t a = std::hash<std::string>()(w->account), k = std::hash<std::string>()(w->key);
  return (a * 31 + k) * 8 + static_cast<std::size_t>(w->table);
}

bool SignalBatch::SameRow::operator()(const SignalWrite* a, const SignalWrite* b) const {
  return a->table == b->table && a->key == b->key && a->account == b->account;
}

void SignalBatch::add(const std::vector<SignalWrite>& writes) {
  for (const auto& w : writes) {
    auto [it, inserted] = index_.try_emplace(&w, last_.size());
    if (inserted) {
      last_.push_back(&w);
    } else {
      last_[it->second] = &w;  // a later write to the same row replaces the earlier one
    }
  }
}

void SignalBatch::write(Connection& c, const KeySealer& sealer) {
  auto& s = c.get<SignalStatements>();
  for (const SignalWrite* w : last_) {
    s.account = w->account;
    s.address = w->key;
    auto index = static_cast<std::size_t>(w->table);
    if (w->value) {
      s.sealed = sealer.seal(*w->value);
      s.upsert[index]->execute();
    } else {
      s.remove[index]->execute();
    }
  }
  last_.clear();
  index_.clear();
}

sdk::Result<std::optional<std::string>> SqlStore::readSignal(SignalWrite::Table table, const std::string& account,
                                                             const std::string& key) {
  auto sealed = db().run<std::optional<std::string>>(
      [&](Connection& c) -> sdk::Result<std::optional<std::string>> {
        std::string value;
        soci::indicator ind = soci::i_null;
        c.sql << "SELECT sealed FROM " + std::string(tableName(table)) + " WHERE account = :a AND address = :k",
            soci::use(account), soci::use(key), soci::into(value, ind);
        if (!c.sql.got_data() || ind != soci::i_ok) {
          return std::optional<std::string>();
        }
        return std::optional<std::string>(value);
      });
  SB_TRY(sealed);
  if (!sealed->has_value()) {
    return std::optional<std::string>();
  }
  auto plain = core_->sealer.open(**sealed);
  SB_TRY(plain);
  return std::optional<std::string>(std::move(plain).value());
}

sdk::Status SqlStore::writeSignal(const std::vector<SignalWrite>& writes) {
  auto r = db().transact<bool>([&](Connection& c) -> sdk::Result<bool> {
    std::set<std::string> accounts;
    for (const auto& w : writes) {
      accounts.insert(w.account);
    }
    lockAccounts(c, accounts);
    writeSignalRows(c, core_->sealer, writes);
    return true;
  });
  SB_TRY(r);
  return sdk::okStatus();
}

}  // namespace switchboard::host::storage
