#include "storage/account_fence.hpp"

#include "common/clock.hpp"
#include "storage/account_lock.hpp"

namespace switchboard::host::storage {

void AccountFence::onRefusal(std::function<void(const std::string&, long long, long long)> callback) {
  std::lock_guard lock(mutex_);
  onRefusal_ = std::move(callback);
}

sdk::Result<long long> AccountFence::claim(Database& db, const std::string& account) {
  if (db.dialect() != Dialect::Postgres) {
    return sdk::Error::permanent("storage.fence_unsupported",
                                "account ownership needs PostgreSQL; " + db.url().redacted + " is SQLite");
  }
  auto generation = db.transact<long long>([&](Connection& c) -> sdk::Result<long long> {
    // The previous owner may be stopped inside a write: PostgreSQL ends that transaction after
    // kStalledWriterTimeout; wait a little longer than that for its lock, not for ever.
    c.sql << "SET LOCAL lock_timeout = " + std::to_string(kStalledWriterTimeout.count() * 3);
    lockAccountsUnfenced(c, {account});
    const long long now = nowMs();
    c.sql << "UPDATE account_owners SET generation = generation + 1, owner = :o, updated_at = :t WHERE account = :a",
        soci::use(owner_), soci::use(now), soci::use(account);
    long long g = 0;
    soci::indicator ind = soci::i_null;
    c.sql << "SELECT generation FROM account_owners WHERE account = :a", soci::use(account), soci::into(g, ind);
    if (!c.sql.got_data() || ind != soci::i_ok) {
      g = 1;
      c.sql << "INSERT INTO account_owners (account, generation, owner, state, updated_at)"
               " VALUES (:a, 1, :o, 'active', :t)",
          soci::use(account), soci::use(owner_), soci::use(now);
    }
    return g;
  });
  SB_TRY(generation);
  std::lock_guard lock(mutex_);
  held_[account] = *generation;
  return generation;
}

void AccountFence::drop(const std::string& account) {
  std::lock_guard lock(mutex_);
  held_.erase(account);
}

std::optional<long long> AccountFence::held(const std::string& account) const {
  std::lock_guard lock(mutex_);
  auto it = held_.find(account);
  return it == held_.end() ? std::nullopt : std::optional<long long>(it->second);
}

void AccountFence::check(Connection& c, const std::set<std::string>& accounts) {
  for (const auto& account : accounts) {
    long long recorded = 0;
    soci::indicator ind = soci::i_null;
    c.sql << "SELECT generation FROM account_owners WHERE account = :a", soci::use(account), soci::into(recorded, ind);
    if (!c.sql.got_data() || ind != soci::i_ok) {
      recorded = 0;
    }
    const long long mine = held(account).value_or(0);
    if (mine != 0 && mine == recorded) {
      continue;
    }
    refusals_.fetch_add(1);
    std::function<void(const std::string&, long long, long long)> callback;
    {
      std::lock_guard lock(mutex_);
      callback = onRefusal_;
    }
    if (callback) {
      callback(account, mine, recorded);
    }
    throw FencedWrite("write for account " + account + " refused: this daemon (" + owner_ + ") holds generation " +
                      std::to_string(mine) + ", the account is at generation " + std::to_string(recorded) +
                      " (another daemon owns it now)");
  }
}

sdk::Status AccountFence::setState(Database& db, const std::string& account, const std::string& state) {
  auto r = db.transact<bool>([&](Connection& c) -> sdk::Result<bool> {
    lockAccountsUnfenced(c, {account});
    const long long now = nowMs();
    c.sql << "UPDATE account_owners SET state = :s, updated_at = :t WHERE account = :a", soci::use(state),
        soci::use(now), soci::use(account);
    int n = 0;
    c.sql << "SELECT COUNT(*) FROM account_owners WHERE account = :a", soci::use(account), soci::into(n);
    if (n == 0) {
      c.sql << "INSERT INTO account_owners (account, generation, owner, state, updated_at)"
               " VALUES (:a, 0, '', :s, :t)",
          soci::use(account), soci::use(state), soci::use(now);
    }
    return true;
  });
  SB_TRY(r);
  return sdk::okStatus();
}

sdk::Status AccountFence::forget(Database& db, const std::string& account) {
  auto r = db.transact<bool>([&](Connection& c) -> sdk::Result<bool> {
    lockAccountsUnfenced(c, {account});
    c.sql << "DELETE FROM account_owners WHERE account = :a", soci::use(account);
    return true;
  });
  SB_TRY(r);
  return sdk::okStatus();
}

sdk::Result<std::vector<AccountOwnerRow>> AccountFence::list(Database& db) {
  return db.run<std::vector<AccountOwnerRow>>([](Connection& c) -> sdk::Result<std::vector<AccountOwnerRow>> {
    std::vector<AccountOwnerRow> out;
    AccountOwnerRow row;
    soci::statement st = (c.sql.prepare << "SELECT account, generation, owner, state, updated_at FROM account_owners"
                                           " ORDER BY account",
                          soci::into(row.account), soci::into(row.generation), soci::into(row.owner),
                          soci::into(row.state), soci::into(row.updatedAt));
    if (st.execute(true)) {
      do {
        out.push_back(row);
      } while (st.fetch());
    }
    return out;
  });
}

}  // namespace switchboard::host::storage
