// Tenant lifecycle and quota limits over SQL, and the schema's list of tables holding tenant data.

#include <algorithm>

#include "common/clock.hpp"
#include "storage/tenancy_sql.hpp"
#include "switchboard/sdk/quotas.hpp"

namespace switchboard::host {

sdk::Result<std::shared_ptr<Tenancy>> Tenancy::of(std::shared_ptr<Store> store) {
  auto* sql = dynamic_cast<storage::SqlStore*>(store.get());
  if (sql == nullptr) {
    return sdk::Error::permanent("storage.unsupported", "tenant administration needs the SQL store");
  }
  return std::shared_ptr<Tenancy>(std::make_shared<storage::SqlTenancy>(std::move(store), *sql));
}

namespace storage {

namespace {

constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;

bool validId(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](unsigned char ch) {
    return std::isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
  });
}

sdk::Status asStatus(const sdk::Result<bool>& r) { return r.ok() ? sdk::okStatus() : sdk::Status(r.error()); }

}  // namespace

bool knownQuotaKind(const std::string& kind) {
  return kind == sdk::quota::kAccounts || kind == sdk::quota::kMessagesPerDay ||
         kind == sdk::quota::kCampaignRecipientsPerDay || kind == sdk::quota::kApiRequestsPerSecond;
}

sdk::Status SqlTenancy::create(const std::string& id, const std::string& name) {
  if (!validId(id)) {
    return sdk::Error::permanent("invalid", "a tenant id is 1 to 64 letters, digits, '.', '_' or '-'");
  }
  return asStatus(db().transact<bool>([&](Connection& c) -> sdk::Result<bool> {
    std::string found;
    c.sql << "SELECT id FROM tenants WHERE id = :i", soci::use(id), soci::into(found);
    if (c.sql.got_data()) {
      return sdk::Error::permanent("tenant.exists", "tenant \"" + id + "\" exists already");
    }
    const long long now = nowMs();
    const std::string shown = name.empty() ? id : name;
    c.sql << "INSERT INTO tenants (id, name, created_at, state) VALUES (:i, :n, :c, 'active')", soci::use(id),
        soci::use(shown), soci::use(now);
    return true;
  }));
}

sdk::Result<std::optional<TenantInfo>> SqlTenancy::get(const std::string& id) {
  using Out = std::optional<TenantInfo>;
  return db().run<Out>([&](Connection& c) -> sdk::Result<Out> {
    TenantInfo t;
    long long created = 0;
    c.sql << "SELECT id, name, state, created_at FROM tenants WHERE id = :i", soci::use(id), soci::into(t.id),
        soci::into(t.name), soci::into(t.state), soci::into(created);
    if (!c.sql.got_data()) {
      return Out{};
    }
    t.createdAtMs = created;
    return Out{std::move(t)};
  });
}

sdk::Result<std::vector<TenantInfo>> SqlTenancy::list() {
  using Out = std::vector<TenantInfo>;
  return db().run<Out>([](Connection& c) -> sdk::Result<Out> {
    Out out;
    TenantInfo t;
    long long created = 0;
    soci::statement st = (c.sql.prepare << "SELECT id, name, state, created_at FROM tenants ORDER BY id",
                          soci::into(t.id), soci::into(t.name), soci::into(t.state), soci::into(created));
    st.execute();
    while (st.fetch()) {
      t.createdAtMs = created;
      out.push_back(t);
    }
    return out;
  });
}

sdk::Status SqlTenancy::setState(const std::string& id, const std::string& state) {
  if (state != kTenantActive && state != kTenantSuspended) {
    return sdk::Error::permanent("invalid", "a tenant's state is \"active\" or \"suspended\", not \"" + state + "\"");
  }
  return asStatus(db().run<bool>([&](Connection& c) -> sdk::Result<bool> {
    soci::statement st = (c.sql.prepare << "UPDATE tenants SET state = :s WHERE id = :i", soci::use(state), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() == 0) {
      return sdk::Error::permanent("tenant.not_found", "no tenant \"" + id + "\"");
    }
    return true;
  }));
}

sdk::Status SqlTenancy::setQuota(const std::string& id, const std::string& kind, std::optional<std::int64_t> limit) {
  if (!knownQuotaKind(kind)) {
    return sdk::Error::permanent("invalid", "unknown quota \"" + kind +
                                                "\" (accounts, messages_per_day, campaign_recipients_per_day,"
                                                " api_requests_per_second)");
  }
  if (limit && *limit < 0) {
    return sdk::Error::permanent("invalid", "quota \"" + kind + "\" must not be negative");
  }
  return asStatus(db().transact<bool>([&](Connection& c) -> sdk::Result<bool> {
    std::string found;
    c.sql << "SELECT id FROM tenants WHERE id = :i", soci::use(id), soci::into(found);
    if (!c.sql.got_data()) {
      return sdk::Error::permanent("tenant.not_found", "no tenant \"" + id + "\"");
    }
    if (!limit) {
      c.sql << "DELETE FROM tenancy_quotas WHERE tenant = :t AND kind = :k", soci::use(id), soci::use(kind);
      return true;
    }
    const long long value = *limit;
    c.sql << "INSERT INTO tenancy_quotas (tenant, kind, quota) VALUES (:t, :k, :q) ON CONFLICT (tenant, kind)"
             " DO UPDATE SET quota = excluded.quota",
        soci::use(id), soci::use(kind), soci::use(value);
    // Days before yesterday are never read again.
    const long long oldDay = nowMs() / kDayMs - 1;
    c.sql << "DELETE FROM tenancy_usage WHERE tenant = :t AND day < :d", soci::use(id), soci::use(oldDay);
    return true;
  }));
}

sdk::Result<TenantQuotas> SqlTenancy::quotas(const std::string& id, std::int64_t nowMs) {
  return db().run<TenantQuotas>([&](Connection& c) -> sdk::Result<TenantQuotas> {
    TenantQuotas out;
    std::string kind;
    long long value = 0;
    {
      soci::statement st = (c.sql.prepare << "SELECT kind, quota FROM tenancy_quotas WHERE tenant = :t", soci::use(id),
                            soci::into(kind), soci::into(value));
      st.execute();
      while (st.fetch()) {
        out.limits[kind] = value;
      }
    }
    const long long day = nowMs / kDayMs;
    soci::statement st = (c.sql.prepare << "SELECT kind, used FROM tenancy_usage WHERE tenant = :t AND day = :d",
                          soci::use(id), soci::use(day), soci::into(kind), soci::into(value));
    st.execute();
    while (st.fetch()) {
      out.usedToday[kind] = value;
    }
    long long accounts = 0;
    c.sql << "SELECT COUNT(*) FROM accounts WHERE tenant = :t", soci::use(id), soci::into(accounts);
    out.usedToday[sdk::quota::kAccounts] = accounts;
    return out;
  });
}

sdk::Result<bool> SqlTenancy::consume(const std::string& id, const std::string& kind, std::int64_t n,
                                      std::int64_t nowMs) {
  return consumeTenantQuota(db(), id, kind, n, nowMs);
}

std::string tenantFilter(const TenantTable& t) {
  switch (t.owner) {
    case TenantTable::Owner::TenantRow:
      return "id = :tenant";
    case TenantTable::Owner::AccountColumn:
      return "account IN (SELECT id FROM accounts WHERE tenant = :tenant)";
    case TenantTable::Owner::TenantColumn:
      break;
  }
  return "tenant = :tenant";
}

sdk::Result<std::vector<TenantTable>> SqlTenancy::tenantTables() {
  using Out = std::vector<TenantTable>;
  return db().run<Out>([](Connection& c) -> sdk::Result<Out> {
    // Every (table, column) of the schema, from the database's own catalogue.
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> columns;
    std::string table, column, type;
    const char* sql = c.dialect == Dialect::Sqlite
                          ? "SELECT m.name, p.name, p.type FROM sqlite_master m, pragma_table_info(m.name) p"
                            " WHERE m.type = 'table' ORDER BY m.name, p.cid"
                          : "SELECT table_name, column_name, data_type FROM information_schema.columns"
                            " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position";
    soci::statement st = (c.sql.prepare << sql, soci::into(table), soci::into(column), soci::into(type));
    st.execute();
    while (st.fetch()) {
      columns[table].emplace_back(column, type);
    }
    Out byAccount, byTenant;
    std::optional<TenantTable> tenants;
    for (auto& [name, cols] : columns) {
      auto has = [&list = cols](const char* col) {
        return std::any_of(list.begin(), list.end(), [col](const auto& entry) { return entry.first == col; });
      };
      if (name == "tenants") {
        tenants = TenantTable{name, TenantTable::Owner::TenantRow, cols};
      } else if (has("tenant")) {
        byTenant.push_back({name, TenantTable::Owner::TenantColumn, cols});
      } else if (has("account")) {
        byAccount.push_back({name, TenantTable::Owner::AccountColumn, cols});
      }
      // Others (schema_migrations, storage_meta, sqlite_sequence) hold no tenant's data.
    }
    if (!tenants) {
      return sdk::Error::fatal("storage.schema", "the schema has no tenants table");
    }
    // Account-keyed rows are found through the accounts table, so they go before it.
    Out out = std::move(byAccount);
    std::stable_partition(byTenant.begin(), byTenant.end(), [](const TenantTable& t) { return t.name != "accounts"; });
    out.insert(out.end(), byTenant.begin(), byTenant.end());
    out.push_back(std::move(*tenants));
    return out;
  });
}

}  // namespace storage
}  // namespace switchboard::host
