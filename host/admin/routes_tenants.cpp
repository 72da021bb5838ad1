// Tenants: list, create, read, suspend, resume, quotas, and delete (export, then purge). Managing
// tenants takes an operator-wide admin token; a token scoped to a tenant may read its own tenant
// (state, quotas, today's use) and nothing of any other (404).

#include <filesystem>
#include <set>

#include "admin/api_core.hpp"
#include "admin/api_routes.hpp"
#include "admin/json_fields.hpp"
#include "admin/session_calls.hpp"
#include "admin/tenant_guard.hpp"
#include "common/clock.hpp"
#include "storage/command_gate.hpp"
#include "storage/tenancy.hpp"
#include "storage/tenant_deletion.hpp"
#include "switchboard/sdk/quotas.hpp"

namespace switchboard::admin {
namespace {

host::Tenancy* tenancyOf(Call& call) { return call.core.tenantGuard().tenancy().get(); }

std::optional<http::Response> needTenancy(Call& call) {
  if (tenancyOf(call) == nullptr) {
    return http::Response::error(501, "storage.unsupported", "tenant administration needs the SQL store");
  }
  return std::nullopt;
}

// Tenants are managed by the operator: a token of one tenant cannot create, change or end any.
std::optional<http::Response> needOperatorWide(Call& call) {
  if (!call.who.tenant.empty()) {
    return http::Response::error(403, "forbidden",
                                 "token \"" + call.who.name + "\" is scoped to tenant \"" + call.who.tenant +
                                     "\"; managing tenants needs an operator-wide token");
  }
  return needTenancy(call);
}

json toJson(const host::TenantInfo& t) {
  return {{"id", t.id}, {"name", t.name}, {"state", t.state}, {"created_at", t.createdAtMs}};
}

// The tenant a route names, or the 404: unknown, or not the scoped token's own.
sdk::Result<host::TenantInfo> namedTenant(Call& call) {
  const auto& id = call.request.param("tenant");
  if (!call.who.tenant.empty() && call.who.tenant != id) {
    return sdk::Error::permanent("tenant.not_found", "no tenant \"" + id + "\"");
  }
  auto t = tenancyOf(call)->get(id);
  SB_TRY(t);
  if (!t.value()) {
    return sdk::Error::permanent("tenant.not_found", "no tenant \"" + id + "\"");
  }
  return std::move(*t.value());
}

json describe(Call& call, const host::TenantInfo& t) {
  json j = toJson(t);
  auto q = tenancyOf(call)->quotas(t.id, host::nowMs());
  if (q.ok()) {
    j["quotas"] = q->limits;
    j["usage_today"] = q->usedToday;
  }
  return j;
}

void announce(Call& call, const std::string& type, const std::string& tenant, const std::string& reason = "") {
  if (auto* bus = call.services().events) {
    sdk::Event e;
    e.type = type;
    e.tenant = tenant;
    e.subject = tenant;
    e.attributes = {{"by", call.who.name}, {"reason", reason}};
    e.timestamp = host::nowMs();
    bus->publish(e);
  }
}

// {"messages_per_day": 1000, "accounts": null, ...}: a number sets a limit, null removes it.
sdk::Status applyQuotas(Call& call, const std::string& tenant, const json& quotas) {
  if (!quotas.is_object()) {
    return sdk::Error::permanent("invalid", "\"quotas\" must be an object of quota names to limits");
  }
  for (const auto& [kind, value] : quotas.items()) {
    std::optional<std::int64_t> limit;
    if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
      limit = value.get<std::int64_t>();
    } else if (!value.is_null()) {
      return sdk::Error::permanent("invalid", "quota \"" + kind + "\" must be a non-negative integer or null");
    }
    SB_TRY(tenancyOf(call)->setQuota(tenant, kind, limit));
  }
  call.core.tenantGuard().forget(tenant);
  return sdk::okStatus();
}

http::Response list(Call& call) {
  if (auto refusal = needTenancy(call)) {
    return *refusal;
  }
  auto all = tenancyOf(call)->list();
  if (!all) {
    return errorResponse(all.error());
  }
  json items = json::array();
  for (const auto& t : all.value()) {
    if (call.who.tenant.empty() || call.who.tenant == t.id) {
      items.push_back(toJson(t));
    }
  }
  return http::Response::json(200, {{"items", items}});
}

http::Response create(Call& call) {
  if (auto refusal = needOperatorWide(call)) {
    return *refusal;
  }
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  JsonFields f(*body);
  f.only({"id", "name", "quotas"});
  auto id = f.string("id", true, 64);
  auto name = f.string("name", false, 256);
  if (!f.ok()) {
    return errorResponse(f.error());
  }
  call.subject = *id;
  if (auto s = tenancyOf(call)->create(*id, name.value_or("")); !s) {
    return errorResponse(s.error());
  }
  if (body->contains("quotas")) {
    if (auto s = applyQuotas(call, *id, (*body)["quotas"]); !s) {
      return errorResponse(s.error());
    }
  }
  auto t = tenancyOf(call)->get(*id);
  if (!t || !t.value()) {
    return t ? notFound("tenant \"" + *id + "\"") : errorResponse(t.error());
  }
  announce(call, "tenant.created", *id);
  return http::Response::json(201, describe(call, *t.value()));
}

http::Response get(Call& call) {
  if (auto refusal = needTenancy(call)) {
    return *refusal;
  }
  auto t = namedTenant(call);
  if (!t) {
    return errorResponse(t.error());
  }
  return http::Response::json(200, describe(call, *t));
}

// The tenant's accounts: those stored and those its connectors run.
std::set<std::string> accountsOf(Call& call, const std::string& tenant) {
  std::set<std::string> out;
  if (auto stored = call.services().store->listAccounts(tenant)) {
    for (const auto& a : stored.value()) {
      out.insert(a.id);
    }
  }
  for (const auto& s : allSessions(call.core, tenant)) {
    out.insert(s.account);
  }
  return out;
}

// A suspended tenant's accounts are disconnected (credentials kept), a resumed tenant's connected
// again, through the connectors that offer account placement. Returns the accounts handled.
json placeAccounts(Call& call, const std::string& tenant, bool release) {
  json done = json::array();
  auto* plugins = call.services().plugins;
  if (plugins == nullptr) {
    return done;
  }
  for (const auto& account : accountsOf(call, tenant)) {
    auto placed = plugins->withAccountPlacement(
        [&tenant, account, release](sdk::AccountPlacement& p) {
          return release ? p.releaseAccount(tenant, account, std::chrono::seconds(5)) : p.runAccount(tenant, account);
        },
        std::chrono::seconds(10));
    if (placed && placed.value() > 0) {
      done.push_back(account);
    } else if (!placed) {
      call.core.log().warn("tenant account not {}. tenant={} account={} error=\"{}\"",
                           release ? "released" : "run", tenant, account, placed.error().describe());
    }
  }
  return done;
}

http::Response setState(Call& call, const char* state, const char* event) {
  if (auto refusal = needOperatorWide(call)) {
    return *refusal;
  }
  auto t = namedTenant(call);
  if (!t) {
    return errorResponse(t.error());
  }
  if (t->id == sdk::kDefaultTenant && std::string(state) == host::kTenantSuspended) {
    return http::Response::error(409, "tenant.protected", "the default tenant cannot be suspended");
  }
  std::string reason;
  if (!call.request.body.empty()) {
    auto body = call.body();
    if (!body) {
      return errorResponse(body.error());
    }
    JsonFields f(*body);
    f.only({"reason"});
    reason = f.string("reason", false, 1024).value_or("");
    if (!f.ok()) {
      return errorResponse(f.error());
    }
  }
  if (auto s = tenancyOf(call)->setState(t->id, state); !s) {
    return errorResponse(s.error());
  }
  call.core.tenantGuard().forget(t->id);
  call.detail = reason;
  announce(call, event, t->id, reason);
  t->state = state;
  json body = describe(call, *t);
  body["accounts"] = placeAccounts(call, t->id, std::string(state) == host::kTenantSuspended);
  return http::Response::json(200, body);
}

http::Response putQuotas(Call& call) {
  if (auto refusal = needOperatorWide(call)) {
    return *refusal;
  }
  auto t = namedTenant(call);
  if (!t) {
    return errorResponse(t.error());
  }
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  if (auto s = applyQuotas(call, t->id, *body); !s) {
    return errorResponse(s.error());
  }
  call.detail = body->dump();
  return http::Response::json(200, describe(call, *t));
}

http::Response remove(Call& call) {
  if (auto refusal = needOperatorWide(call)) {
    return *refusal;
  }
  auto t = namedTenant(call);
  if (!t) {
    return errorResponse(t.error());
  }
  if (t->id == sdk::kDefaultTenant) {
    return http::Response::error(409, "tenant.protected", "the default tenant cannot be deleted");
  }
  // The tenant's WhatsApp devices are unlinked after the export, while their credentials exist.
  json loggedOut = json::array();
  auto logout = [&call, &loggedOut, id = t->id] {
    for (const auto& session : allSessions(call.core, id)) {
      auto where = locateSession(call.core, id, session.account);
      if (!where || where->instance.empty()) {
        continue;
      }
      auto done = callSession<bool>(call.core, where->instance,
                                    [id, account = session.account](sdk::SessionControl& c) -> sdk::Result<bool> {
                                      SB_TRY(c.logout(id, account));
                                      return true;
                                    });
      if (done) {
        loggedOut.push_back(session.account);
      }
    }
  };
  auto deleted = host::deleteTenant(*call.services().store, *tenancyOf(call), t->id,
                                    call.core.settings().tenantExportDir, logout);
  call.core.tenantGuard().forget(t->id);
  if (!deleted) {
    return errorResponse(deleted.error());
  }
  announce(call, "tenant.deleted", t->id);
  const auto& d = deleted.value();
  call.detail = "export=" + d.exported.directory + " rows=" + std::to_string(d.purged.totalRows) +
                " media_files=" + std::to_string(d.purged.mediaFiles.size());
  return http::Response::json(
      200, {{"id", t->id},
            {"export", {{"directory", d.exported.directory}, {"files", d.exported.files}, {"rows", d.exported.rows}}},
            {"purged", {{"rows", d.purged.rows}, {"accounts", d.purged.accounts}, {"media_files", d.purged.mediaFiles.size()}}},
            {"logged_out", loggedOut},
            {"tokens_revoked", d.tokensRevoked}});
}

}  // namespace

std::optional<http::Response> checkAccountQuota(ApiCore& core, const std::string& tenant, const std::string& account) {
  auto* tenancy = core.tenantGuard().tenancy().get();
  if (tenancy == nullptr) {
    return std::nullopt;
  }
  auto quotas = tenancy->quotas(tenant, host::nowMs());
  if (!quotas) {
    return errorResponse(quotas.error());
  }
  auto limit = quotas->limits.find(sdk::quota::kAccounts);
  if (limit == quotas->limits.end()) {
    return std::nullopt;
  }
  std::set<std::string> accounts;
  if (auto stored = core.services().store->listAccounts(tenant)) {
    for (const auto& a : stored.value()) {
      accounts.insert(a.id);
    }
  }
  for (const auto& s : allSessions(core, tenant)) {
    accounts.insert(s.account);
  }
  if (accounts.count(account) != 0 || static_cast<std::int64_t>(accounts.size()) < limit->second) {
    return std::nullopt;
  }
  host::countQuotaExceeded(core.services().metrics, tenant, sdk::quota::kAccounts);
  return http::Response::error(403, sdk::quota::kExceededCode,
                               "tenant \"" + tenant + "\" has its accounts quota (" + std::to_string(limit->second) +
                                   ") already");
}

void addTenantRoutes(ApiRoutes& routes) {
  routes.add("GET", "/v1/tenants", Access::Read, "", list);
  routes.add("POST", "/v1/tenants", Access::Administer, "tenant.create", create);
  routes.add("GET", "/v1/tenants/{tenant}", Access::Read, "", get);
  routes.add("POST", "/v1/tenants/{tenant}/suspend", Access::Administer, "tenant.suspend",
             [](Call& c) { return setState(c, host::kTenantSuspended, "tenant.suspended"); });
  routes.add("POST", "/v1/tenants/{tenant}/resume", Access::Administer, "tenant.resume",
             [](Call& c) { return setState(c, host::kTenantActive, "tenant.resumed"); });
  routes.add("PUT", "/v1/tenants/{tenant}/quotas", Access::Administer, "tenant.quotas", putQuotas);
  routes.add("DELETE", "/v1/tenants/{tenant}", Access::Administer, "tenant.delete", remove);
}

}  // namespace switchboard::admin
