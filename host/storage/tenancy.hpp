#pragma once

// Tenants as things an operator manages: their state (active or suspended), their quotas, and
// their end (an export of everything the database holds for them, then a purge of it). Works on
// the SQL store only; the tables a tenant owns are found from the schema itself, so a table
// another component adds later is exported and purged without being listed here.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace switchboard::host {

inline constexpr const char* kTenantActive = "active";
inline constexpr const char* kTenantSuspended = "suspended";

struct TenantInfo {
  std::string id, name;
  std::string state = kTenantActive;
  std::int64_t createdAtMs = 0;
};

/// How the rows of one table belong to a tenant.
struct TenantTable {
  enum class Owner { TenantColumn, AccountColumn, TenantRow };
  std::string name;
  Owner owner = Owner::TenantColumn;
  std::vector<std::pair<std::string, std::string>> columns;  // name, declared type, in table order
};

struct TenantExportReport {
  std::string directory;
  std::map<std::string, long long> rows;  // by table
  std::vector<std::string> files;         // relative to directory
  long long totalRows = 0;
};

struct TenantPurgeReport {
  std::map<std::string, long long> rows;  // deleted, by table
  long long totalRows = 0;
  std::vector<std::string> accounts;      // the tenant's accounts (their Signal keys went with them)
  std::vector<std::string> mediaFiles;    // media files removed
};

/// A tenant's quota limits, and today's use of the per-day ones.
struct TenantQuotas {
  std::map<std::string, std::int64_t> limits;
  std::map<std::string, std::int64_t> usedToday;
};

class Tenancy {
 public:
  /// The tenancy view of a store: "storage.unsupported" unless it is the SQL store.
  static sdk::Result<std::shared_ptr<Tenancy>> of(std::shared_ptr<Store> store);
  virtual ~Tenancy() = default;

  /// Ids: letters, digits, '.', '_', '-', 1 to 64 characters ("invalid" otherwise);
  /// "tenant.exists" when taken.
  virtual sdk::Status create(const std::string& id, const std::string& name) = 0;
  virtual sdk::Result<std::optional<TenantInfo>> get(const std::string& id) = 0;
  virtual sdk::Result<std::vector<TenantInfo>> list() = 0;
  /// kTenantActive or kTenantSuspended; "tenant.not_found" for an unknown tenant.
  virtual sdk::Status setState(const std::string& id, const std::string& state) = 0;

  /// Quota limits: a kind from sdk/quotas.hpp; nullopt removes the limit.
  virtual sdk::Status setQuota(const std::string& id, const std::string& kind, std::optional<std::int64_t> limit) = 0;
  virtual sdk::Result<TenantQuotas> quotas(const std::string& id, std::int64_t nowMs) = 0;
  /// Takes n units of a quota (see sdk::TenantStorage::consumeQuota).
  virtual sdk::Result<bool> consume(const std::string& id, const std::string& kind, std::int64_t n,
                                    std::int64_t nowMs) = 0;

  /// Every table holding tenant data, from the schema: accounts-keyed tables first, the tenants
  /// row last (the order a purge deletes in).
  virtual sdk::Result<std::vector<TenantTable>> tenantTables() = 0;
  /// Writes `<table>.jsonl` (one JSON object per row, every column) for each table with rows of
  /// the tenant, and `contacts.csv`, into `directory` (created; must not exist yet).
  virtual sdk::Result<TenantExportReport> exportTenant(const std::string& id, const std::string& directory) = 0;
  /// Deletes every row of the tenant in one transaction (its accounts' credentials and Signal
  /// keys included), then the media files its messages refer to. The default tenant cannot be
  /// purged ("tenant.protected").
  virtual sdk::Result<TenantPurgeReport> purge(const std::string& id) = 0;
};

/// The quota check shared by Tenancy::consume and the tenant storage handles.
namespace storage {
class Database;
sdk::Result<bool> consumeTenantQuota(Database& db, const std::string& tenant, const std::string& kind, std::int64_t n,
                                     std::int64_t nowMs);
}  // namespace storage

}  // namespace switchboard::host
