#include "storage/sql_store.hpp"

#include "storage/tenant_storage.hpp"

namespace switchboard::host::storage {

std::shared_ptr<sdk::TenantStorage> SqlStore::tenant(const sdk::TenantId& tenant) {
  const sdk::TenantId id = tenant.empty() ? sdk::kDefaultTenant : tenant;
  std::lock_guard lock(tenantsMutex_);
  auto& slot = tenants_[id];
  if (!slot) {
    // Rows carry the tenant id itself; the tenants row is bookkeeping for the admin side, so a
    // failure to write it (database away) must not deny the handle.
    (void)createTenantIfMissing(id);
    slot = std::make_shared<SqlTenantStorage>(core_, id);
  }
  return slot;
}

sdk::Status SqlStore::createTenantIfMissing(const std::string& id) {
  auto r = db().run<bool>([&](Connection& c) -> sdk::Result<bool> {
    long long zero = 0;
    c.sql << "INSERT INTO tenants (id, name, created_at) VALUES (:i, :n, :c) ON CONFLICT (id) DO NOTHING",
        soci::use(id), soci::use(id), soci::use(zero);
    return true;
  });
  if (!r.ok()) {
    return r.error();
  }
  return sdk::okStatus();
}

bool SqlStore::healthy() { return db().ping(); }

}  // namespace switchboard::host::storage
