// Health, metrics, the OpenAPI document, plugins, the audit log and tokens.

#include "admin/admin_queries.hpp"
#include "admin/api_core.hpp"
#include "admin/api_routes.hpp"
#include "admin/json_codec.hpp"
#include "admin/json_fields.hpp"
#include "admin/session_calls.hpp"

namespace switchboard::admin {
namespace {

json componentJson(const ComponentHealth& h) { return {{"ok", h.ok}, {"detail", h.detail}}; }

http::Response readiness(Call& call) {
  auto& s = call.services();
  ComponentHealth database{s.store->healthy(), ""};
  database.detail = database.ok ? "reachable" : "the database does not answer";
  ComponentHealth kafka{false, "no Kafka bridge"};
  if (s.kafkaHealth) {
    kafka = s.kafkaHealth();
  }
  // Sessions: any linked account that is not connected makes the daemon degraded, not unready:
  // it still stores and relays what the other accounts do.
  json sessions = json::object();
  int connected = 0, waiting = 0, down = 0;
  auto tenants = s.store->listTenants();
  if (s.plugins != nullptr && tenants.ok()) {
    for (const auto& t : tenants.value()) {
      for (const auto& st : allSessions(call.core, t.id)) {
        if (st.state == "connected") {
          ++connected;
        } else if (st.state == "disconnected" || st.state == "connecting") {
          ++down;
        } else {
          ++waiting;
        }
      }
    }
  }
  sessions = {{"ok", down == 0}, {"connected", connected}, {"not_connected", down}, {"not_linked", waiting}};
  const bool ready = database.ok && kafka.ok;
  json body = {{"status", !ready ? "unavailable" : down > 0 ? "degraded" : "ready"},
               {"components", {{"database", componentJson(database)}, {"kafka", componentJson(kafka)}, {"sessions", sessions}}}};
  return http::Response::json(ready ? 200 : 503, body);
}

json tokenJson(const TokenRecord& t) {
  return {{"name", t.name}, {"role", toString(t.role)}, {"tenant", t.tenant}, {"created_at", t.createdAtMs}, {"source", t.source}};
}

}  // namespace

void addSystemRoutes(ApiRoutes& routes) {
  const auto& settings = routes.core().settings();
  const Access health = settings.publicHealth ? Access::Public : Access::Read;

  routes.add("GET", "/v1/health/live", health, "", [](Call&) {
    return http::Response::json(200, {{"status", "alive"}});
  });
  routes.add("GET", "/v1/health/ready", health, "", readiness);

  routes.add("GET", "/v1/metrics", settings.publicMetrics ? Access::Public : Access::Read, "", [](Call& call) {
    return http::Response::text(200, call.services().metrics->render(), "text/plain; version=0.0.4; charset=utf-8");
  });

  routes.add("GET", "/v1/openapi.json", Access::Public, "", [](Call& call) {
    auto r = http::Response::text(200, call.core.openApiJson(), "application/json");
    r.headers["Cache-Control"] = "max-age=300";
    return r;
  });

  routes.add("GET", "/v1/plugins", Access::Read, "", [](Call& call) {
    json items = json::array();
    if (call.services().plugins != nullptr) {
      for (const auto& p : call.services().plugins->plugins()) {
        items.push_back({{"name", p.name},
                         {"library", p.library},
                         {"version", p.version},
                         {"enabled", p.enabled},
                         {"state", p.running ? "running" : p.enabled ? "failed" : "disabled"},
                         {"kinds", p.kinds}});
      }
    }
    return http::Response::json(200, {{"items", items}});
  });

  routes.add("GET", "/v1/audit", Access::Operate, "", [](Call& call) {
    auto limit = call.queryInt("limit", 100, 1, 1000);
    if (!limit) {
      return errorResponse(limit.error());
    }
    auto entries = call.services().store->listAudit(call.tenant, *limit);
    if (!entries) {
      return errorResponse(entries.error());
    }
    json items = json::array();
    for (const auto& e : entries.value()) {
      items.push_back(toJson(e));
    }
    return http::Response::json(200, {{"items", items}});
  });

  routes.add("GET", "/v1/tokens", Access::Administer, "", [](Call& call) {
    auto tokens = call.core.tokens().list();
    if (!tokens) {
      return errorResponse(tokens.error());
    }
    json items = json::array();
    for (const auto& t : tokens.value()) {
      // A scoped admin sees the tokens of its own tenant only.
      if (call.who.tenant.empty() || t.tenant == call.who.tenant) {
        items.push_back(tokenJson(t));
      }
    }
    return http::Response::json(200, {{"items", items}});
  });

  routes.add("POST", "/v1/tokens", Access::Administer, "token.create", [](Call& call) {
    auto body = call.body();
    if (!body) {
      return errorResponse(body.error());
    }
    JsonFields f(*body);
    f.only({"name", "role", "tenant"});
    auto name = f.string("name", true, 64);
    auto roleText = f.string("role", true, 32);
    auto tenant = f.string("tenant", false, 128);
    std::optional<Role> role;
    if (f.ok()) {
      role = parseRole(*roleText);
      if (!role) {
        f.fail("\"role\" must be admin, operator or read-only");
      }
    }
    if (!f.ok()) {
      return errorResponse(f.error());
    }
    std::string scope = tenant.value_or("");
    if (!call.who.tenant.empty()) {
      // A scoped admin cannot mint a token wider than itself.
      if (!scope.empty() && scope != call.who.tenant) {
        return notFound("tenant \"" + scope + "\"");
      }
      scope = call.who.tenant;
    }
    auto made = call.core.tokens().create(*name, *role, scope);
    call.subject = *name;
    if (!made) {
      return errorResponse(made.error());
    }
    call.detail = std::string("role=") + toString(*role) + (scope.empty() ? "" : " tenant=" + scope);
    auto j = tokenJson(made->second);
    j["token"] = made->first;
    return http::Response::json(201, j);
  });

  routes.add("DELETE", "/v1/tokens/{name}", Access::Administer, "token.revoke", [](Call& call) {
    const auto& name = call.request.param("name");
    if (!call.who.tenant.empty()) {
      auto tokens = call.core.tokens().list();
      if (!tokens) {
        return errorResponse(tokens.error());
      }
      bool mine = false;
      for (const auto& t : tokens.value()) {
        mine = mine || (t.name == name && t.tenant == call.who.tenant);
      }
      if (!mine) {
        return notFound("token \"" + name + "\"");
      }
    }
    auto s = call.core.tokens().revoke(name);
    if (!s) {
      return errorResponse(s.error());
    }
    return http::Response::noContent();
  });
}

}  // namespace switchboard::admin
