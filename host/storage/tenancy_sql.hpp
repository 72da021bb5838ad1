#pragma once

// The Tenancy of the SQL store; its methods are spread over tenancy_store.cpp (lifecycle,
// quotas, the schema's tenant tables) and tenant_admin.cpp (export and purge). Private to
// host/storage.

#include "storage/sql_store.hpp"
#include "storage/tenancy.hpp"

namespace switchboard::host::storage {

class SqlTenancy final : public Tenancy {
 public:
  explicit SqlTenancy(std::shared_ptr<Store> store, SqlStore& sql) : keep_(std::move(store)), sql_(sql) {}

  sdk::Status create(const std::string& id, const std::string& name) override;
  sdk::Result<std::optional<TenantInfo>> get(const std::string& id) override;
  sdk::Result<std::vector<TenantInfo>> list() override;
  sdk::Status setState(const std::string& id, const std::string& state) override;
  sdk::Status setQuota(const std::string& id, const std::string& kind, std::optional<std::int64_t> limit) override;
  sdk::Result<TenantQuotas> quotas(const std::string& id, std::int64_t nowMs) override;
  sdk::Result<bool> consume(const std::string& id, const std::string& kind, std::int64_t n,
                            std::int64_t nowMs) override;
  sdk::Result<std::vector<TenantTable>> tenantTables() override;
  sdk::Result<TenantExportReport> exportTenant(const std::string& id, const std::string& directory) override;
  sdk::Result<TenantPurgeReport> purge(const std::string& id) override;

 private:
  Database& db() { return sql_.db(); }

  std::shared_ptr<Store> keep_;  // the store outlives this view
  SqlStore& sql_;
};

/// The WHERE clause selecting a tenant's rows of `t`, with one placeholder (:tenant) for its id.
std::string tenantFilter(const TenantTable& t);

/// Is `kind` one of sdk/quotas.hpp's?
bool knownQuotaKind(const std::string& kind);

}  // namespace switchboard::host::storage
