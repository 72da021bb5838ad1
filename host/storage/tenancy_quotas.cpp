// Per-tenant quotas: the limits (tenancy_quotas) and each UTC day's use (tenancy_usage). Taking
// units is one conditional upsert, so concurrent takers (threads, daemons on one PostgreSQL) can
// never pass a limit together: the row only moves while it stays within the limit.

#include "common/clock.hpp"
#include "storage/tenancy.hpp"
#include "storage/tenant_storage.hpp"
#include "switchboard/sdk/quotas.hpp"

namespace switchboard::host::storage {

namespace {

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;

}  // namespace

sdk::Result<bool> consumeTenantQuota(Database& db, const std::string& tenant, const std::string& kind, std::int64_t n,
                                     std::int64_t nowMs) {
  if (n < 0) {
    return sdk::Error::permanent("invalid", "quota \"" + kind + "\": cannot take a negative amount");
  }
  return db.run<bool>([&](Connection& c) -> sdk::Result<bool> {
    long long limit = 0;
    soci::indicator has = soci::i_null;
    c.sql << "SELECT quota FROM tenancy_quotas WHERE tenant = :t AND kind = :k", soci::use(tenant), soci::use(kind),
        soci::into(limit, has);
    if (!c.sql.got_data() || has != soci::i_ok) {
      return true;  // no limit set
    }
    const long long want = n;
    if (kind == sdk::quota::kAccounts) {
      // A count of what exists, not a daily allowance: the accounts the tenant has plus the new ones.
      long long count = 0;
      c.sql << "SELECT COUNT(*) FROM accounts WHERE tenant = :t", soci::use(tenant), soci::into(count);
      return count + want <= limit;
    }
    if (want > limit) {
      return false;
    }
    const long long day = nowMs / kDayMs;
    soci::statement st = (c.sql.prepare << "INSERT INTO tenancy_usage (tenant, kind, day, used) VALUES (:t, :k, :d, :n)"
                                           " ON CONFLICT (tenant, kind, day) DO UPDATE SET used = tenancy_usage.used + :n2"
                                           " WHERE tenancy_usage.used + :n3 <= :l",
                          soci::use(tenant), soci::use(kind), soci::use(day), soci::use(want), soci::use(want),
                          soci::use(want), soci::use(limit));
    st.execute(true);
    return st.get_affected_rows() > 0;
  });
}

sdk::Result<bool> SqlTenantStorage::consumeQuota(const std::string& kind, std::int64_t n) {
  return consumeTenantQuota(*core_->db, tenant_, kind, n, nowMs());
}

}  // namespace switchboard::host::storage
