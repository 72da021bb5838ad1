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
#include "admin/tenant_runtime.hpp"
#include "common/clock.hpp"
#include "storage/account_quota.hpp"
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

// Runs `fn` with the daemon's tenant lifecycle, or (an API without one) with one over the
// plugin directory alone, so the API's transitions are the same functions as Kafka `control`'s.
template <typename Fn>
auto withLifecycle(Call& call, Fn fn) {
  if (auto* lifecycle = call.services().tenants) {
    return fn(*lifecycle);
  }
  DaemonTenantRuntime runtime(call.services().plugins, call.services().store, nullptr);
  host::TenantLifecycle lifecycle(call.services().store, call.core.tenantGuard().tenancy(), call.services().events);
  lifecycle.setRuntime(&runtime);
  return fn(lifecycle);
}

http::Response setState(Call& call, const char* state) {
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
  const bool suspend = std::string(state) == host::kTenantSuspended;
  const host::TenantRequest request{t->id, call.who.name, reason};
  auto changed = withLifecycle(call, [&](host::TenantLifecycle& l) {
    return suspend ? l.suspend(request) : l.resume(request);
  });
  call.core.tenantGuard().forget(t->id);
  if (!changed) {
    return errorResponse(changed.error());
  }
  call.detail = reason;
  t->state = state;
  json body = describe(call, *t);
  body["accounts"] = changed->accounts;
  body["instances"] = changed->instances;
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
  // Exported, its WhatsApp devices unlinked while their credentials exist, its instances stopped,
  // then purged: the same function as Kafka `control`'s tenant.delete.
  auto removed = withLifecycle(call, [&](host::TenantLifecycle& l) {
    return l.remove({t->id, call.who.name, ""}, call.core.settings().tenantExportDir);
  });
  call.core.tenantGuard().forget(t->id);
  if (!removed) {
    return errorResponse(removed.error());
  }
  const auto& d = removed->deletion;
  call.detail = "export=" + d.exported.directory + " rows=" + std::to_string(d.purged.totalRows) +
                " media_files=" + std::to_string(d.purged.mediaFiles.size());
  return http::Response::json(
      200, {{"id", t->id},
            {"export", {{"directory", d.exported.directory}, {"files", d.exported.files}, {"rows", d.exported.rows}}},
            {"purged", {{"rows", d.purged.rows}, {"accounts", d.purged.accounts}, {"media_files", d.purged.mediaFiles.size()}}},
            {"logged_out", removed->runtime.loggedOut},
            {"tokens_revoked", d.tokensRevoked}});
}

}  // namespace

std::optional<http::Response> checkAccountQuota(ApiCore& core, const std::string& tenant, const std::string& account) {
  // The connectors' sessions count too: a connector may run accounts the database does not hold.
  std::set<std::string> running;
  if (core.tenantGuard().tenancy() != nullptr) {
    for (const auto& s : allSessions(core, tenant)) {
      running.insert(s.account);
    }
  }
  auto admitted = host::admitAccount(core.services().store, tenant, account, running, core.services().metrics);
  if (admitted.ok()) {
    return std::nullopt;
  }
  if (admitted.error().code == sdk::quota::kExceededCode) {
    return http::Response::error(403, sdk::quota::kExceededCode, admitted.error().message);
  }
  return errorResponse(admitted.error());
}

void addTenantRoutes(ApiRoutes& routes) {
  routes.add("GET", "/v1/tenants", Access::Read, "", list);
  routes.add("POST", "/v1/tenants", Access::Administer, "tenant.create", create);
  routes.add("GET", "/v1/tenants/{tenant}", Access::Read, "", get);
  routes.add("POST", "/v1/tenants/{tenant}/suspend", Access::Administer, "tenant.suspend",
             [](Call& c) { return setState(c, host::kTenantSuspended); });
  routes.add("POST", "/v1/tenants/{tenant}/resume", Access::Administer, "tenant.resume",
             [](Call& c) { return setState(c, host::kTenantActive); });
  routes.add("PUT", "/v1/tenants/{tenant}/quotas", Access::Administer, "tenant.quotas", putQuotas);
  routes.add("DELETE", "/v1/tenants/{tenant}", Access::Administer, "tenant.delete", remove);
}

}  // namespace switchboard::admin
