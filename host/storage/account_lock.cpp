#include "storage/account_lock.hpp"

#include <sodium.h>

#include <cstring>

#include "storage/account_fence.hpp"

namespace switchboard::host::storage {

namespace {

struct AdvisoryLock final : PreparedBase {
  long long key = 0;
  soci::statement st;
  explicit AdvisoryLock(soci::session& sql)
      : st((sql.prepare << "SELECT pg_advisory_xact_lock(:k)", soci::use(key))) {}
};

long long lockKey(const std::string& account) {
  unsigned char h[8];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(account.data()), account.size(),
                     reinterpret_cast<const unsigned char*>("sb-account-lock"), 15);
  long long k = 0;
  std::memcpy(&k, h, sizeof k);
  return k;
}

}  // namespace

void lockAccountsUnfenced(Connection& c, const std::set<std::string>& accounts) {
  if (c.dialect != Dialect::Postgres) {
    return;
  }
  auto& lock = c.get<AdvisoryLock>();
  for (const auto& a : accounts) {
    lock.key = lockKey(a);
    lock.st.execute(true);
  }
}

void lockAccounts(Connection& c, const std::set<std::string>& accounts) {
  if (c.fence != nullptr && c.dialect == Dialect::Postgres) {
    // A daemon stopped mid-transaction (SIGSTOP, a frozen VM) would hold these locks for ever and
    // block the daemon taking its accounts over; the server ends such a transaction instead.
    c.sql << "SET LOCAL idle_in_transaction_session_timeout = " + std::to_string(kStalledWriterTimeout.count());
  }
  lockAccountsUnfenced(c, accounts);
  // Scale-out: under the locks, refuse the write unless this daemon still owns every account.
  if (c.fence != nullptr && c.dialect == Dialect::Postgres) {
    c.fence->check(c, accounts);
  }
}

}  // namespace switchboard::host::storage
