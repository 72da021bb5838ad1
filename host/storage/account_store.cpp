// Tenants, accounts, device credentials (sealed) and the audit log.

#include "common/clock.hpp"
#include "storage/sql_store.hpp"

namespace switchboard::host::storage {

namespace {

sdk::Status asStatus(const sdk::Result<bool>& r) {
  if (!r.ok()) {
    return r.error();
  }
  return sdk::okStatus();
}

}  // namespace

sdk::Status SqlStore::createTenant(const std::string& id, const std::string& name) {
  if (id.empty()) {
    return sdk::Error::permanent("storage.bad_tenant", "a tenant id must not be empty");
  }
  return asStatus(db().run<bool>([&](Connection& c) -> sdk::Result<bool> {
    long long now = nowMs();
    c.sql << "INSERT INTO tenants (id, name, created_at) VALUES (:i, :n, :c) ON CONFLICT (id) DO UPDATE"
             " SET name = excluded.name",
        soci::use(id), soci::use(name), soci::use(now);
    return true;
  }));
}

sdk::Result<std::vector<TenantRecord>> SqlStore::listTenants() {
  using Out = std::vector<TenantRecord>;
  return db().run<Out>([](Connection& c) -> sdk::Result<Out> {
    Out out;
    TenantRecord t;
    long long created = 0;
    soci::statement st = (c.sql.prepare << "SELECT id, name, created_at FROM tenants ORDER BY id", soci::into(t.id),
                          soci::into(t.name), soci::into(created));
    st.execute();
    while (st.fetch()) {
      t.createdAtMs = created;
      out.push_back(t);
    }
    return out;
  });
}

sdk::Status SqlStore::upsertAccount(const AccountRecord& a) {
  if (a.id.empty()) {
    return sdk::Error::permanent("storage.bad_account", "an account id must not be empty");
  }
  return asStatus(db().transact<bool>([&](Connection& c) -> sdk::Result<bool> {
    const std::string tenant = a.tenant.empty() ? sdk::kDefaultTenant : a.tenant;
    std::string existing;
    c.sql << "SELECT tenant FROM accounts WHERE id = :i", soci::use(a.id), soci::into(existing);
    if (c.sql.got_data() && existing != tenant) {
      // Moving an account would hand its Signal state and history to another company.
      return sdk::Error::permanent("storage.account_tenant", "account \"" + a.id + "\" belongs to tenant \"" +
                                                                 existing + "\", not \"" + tenant + "\"");
    }
    long long now = nowMs();
    long long created = a.createdAtMs != 0 ? a.createdAtMs : now;
    c.sql << "INSERT INTO tenants (id, name, created_at) VALUES (:i, :n, :c) ON CONFLICT (id) DO NOTHING",
        soci::use(tenant), soci::use(tenant), soci::use(now);
    c.sql << "INSERT INTO accounts (id, tenant, name, jid, state, created_at, updated_at)"
             " VALUES (:i, :t, :n, :j, :s, :c, :u) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
             " jid = excluded.jid, state = excluded.state, updated_at = excluded.updated_at",
        soci::use(a.id), soci::use(tenant), soci::use(a.name), soci::use(a.jid), soci::use(a.state),
        soci::use(created), soci::use(now);
    return true;
  }));
}

namespace {

struct AccountRow {
  AccountRecord a;
  long long created = 0, updated = 0;
};

}  // namespace

sdk::Result<std::optional<AccountRecord>> SqlStore::getAccount(const std::string& id) {
  using Out = std::optional<AccountRecord>;
  return db().run<Out>([&](Connection& c) -> sdk::Result<Out> {
    AccountRow r;
    c.sql << "SELECT id, tenant, name, jid, state, created_at, updated_at FROM accounts WHERE id = :i", soci::use(id),
        soci::into(r.a.id), soci::into(r.a.tenant), soci::into(r.a.name), soci::into(r.a.jid), soci::into(r.a.state),
        soci::into(r.created), soci::into(r.updated);
    if (!c.sql.got_data()) {
      return Out();
    }
    r.a.createdAtMs = r.created;
    r.a.updatedAtMs = r.updated;
    return Out(r.a);
  });
}

sdk::Result<std::vector<AccountRecord>> SqlStore::listAccounts(const std::optional<std::string>& tenant) {
  using Out = std::vector<AccountRecord>;
  return db().run<Out>([&](Connection& c) -> sdk::Result<Out> {
    Out out;
    AccountRow r;
    const std::string t = tenant.value_or("");
    const int all = tenant ? 0 : 1;
    soci::statement st = (c.sql.prepare << "SELECT id, tenant, name, jid, state, created_at, updated_at FROM accounts"
                                           " WHERE (:all = 1 OR tenant = :t) ORDER BY id",
                          soci::into(r.a.id), soci::into(r.a.tenant), soci::into(r.a.name), soci::into(r.a.jid),
                          soci::into(r.a.state), soci::into(r.created), soci::into(r.updated), soci::use(all),
                          soci::use(t));
    st.execute();
    while (st.fetch()) {
      r.a.createdAtMs = r.created;
      r.a.updatedAtMs = r.updated;
      out.push_back(r.a);
    }
    return out;
  });
}

sdk::Status SqlStore::saveDeviceCredentials(const std::string& account, const std::string& credentials) {
  return asStatus(db().transact<bool>([&](Connection& c) -> sdk::Result<bool> {
    std::string tenant;
    c.sql << "SELECT tenant FROM accounts WHERE id = :i", soci::use(account), soci::into(tenant);
    if (!c.sql.got_data()) {
      return sdk::Error::permanent("storage.unknown_account",
                                   "no account \"" + account + "\": store it with upsertAccount first");
    }
    const std::string sealed = core_->sealer.seal(credentials);
    long long now = nowMs();
    c.sql << "INSERT INTO device_credentials (account, tenant, sealed, updated_at) VALUES (:a, :t, :s, :u)"
             " ON CONFLICT (account) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at",
        soci::use(account), soci::use(tenant), soci::use(sealed), soci::use(now);
    return true;
  }));
}

sdk::Result<std::optional<std::string>> SqlStore::loadDeviceCredentials(const std::string& account) {
  using Out = std::optional<std::string>;
  auto sealed = db().run<Out>([&](Connection& c) -> sdk::Result<Out> {
    std::string s;
    c.sql << "SELECT sealed FROM device_credentials WHERE account = :a", soci::use(account), soci::into(s);
    return c.sql.got_data() ? Out(s) : Out();
  });
  SB_TRY(sealed);
  if (!sealed->has_value()) {
    return Out();
  }
  auto plain = core_->sealer.open(**sealed);
  SB_TRY(plain);
  return Out(std::move(plain).value());
}

sdk::Status SqlStore::deleteAccountSecrets(const std::string& account) {
  return asStatus(db().transact<bool>([&](Connection& c) -> sdk::Result<bool> {
    for (const char* table : {"device_credentials", "signal_identities", "signal_sessions", "signal_prekeys",
                              "signal_signed_prekeys", "signal_sender_keys"}) {
      c.sql << "DELETE FROM " + std::string(table) + " WHERE account = :a", soci::use(account);
    }
    return true;
  }));
}

sdk::Status SqlStore::appendAudit(const AuditEntry& e) {
  return asStatus(db().run<bool>([&](Connection& c) -> sdk::Result<bool> {
    const std::string tenant = e.tenant.empty() ? sdk::kDefaultTenant : e.tenant;
    long long at = e.atMs != 0 ? e.atMs : nowMs();
    c.sql << "INSERT INTO audit_log (tenant, actor, action, subject, detail, at) VALUES (:t, :ac, :an, :s, :d, :a)",
        soci::use(tenant), soci::use(e.actor), soci::use(e.action), soci::use(e.subject), soci::use(e.detail),
        soci::use(at);
    return true;
  }));
}

sdk::Result<std::vector<AuditEntry>> SqlStore::listAudit(const sdk::TenantId& tenant, int limit) {
  using Out = std::vector<AuditEntry>;
  return db().run<Out>([&](Connection& c) -> sdk::Result<Out> {
    Out out;
    AuditEntry e;
    long long id = 0, at = 0;
    soci::statement st = (c.sql.prepare << "SELECT id, tenant, actor, action, subject, detail, at FROM audit_log"
                                           " WHERE tenant = :t ORDER BY id DESC LIMIT :l",
                          soci::into(id), soci::into(e.tenant), soci::into(e.actor), soci::into(e.action),
                          soci::into(e.subject), soci::into(e.detail), soci::into(at), soci::use(tenant),
                          soci::use(limit));
    st.execute();
    while (st.fetch()) {
      e.id = id;
      e.atMs = at;
      out.push_back(e);
    }
    return out;
  });
}

}  // namespace switchboard::host::storage
