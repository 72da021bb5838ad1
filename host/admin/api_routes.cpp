#include "admin/api_routes.hpp"

#include <boost/asio/post.hpp>
#include <charconv>

#include "admin/api_core.hpp"

namespace switchboard::admin {

AdminServices& Call::services() const { return core.services(); }

std::shared_ptr<sdk::TenantStorage> Call::storage() const { return core.services().store->tenant(tenant); }

sdk::Result<json> Call::body() const {
  if (request.body.empty()) {
    return sdk::Error::permanent("bad_json", "a JSON body is required");
  }
  return request.jsonBody();
}

sdk::Result<int> Call::queryInt(const char* name, int fallback, int min, int max) const {
  auto v = request.queryValue(name);
  if (!v) {
    return fallback;
  }
  long n = 0;
  auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec == std::errc{} && ptr == v->data() + v->size() && n >= min && n <= max) {
    return static_cast<int>(n);
  }
  return sdk::Error::permanent("invalid", std::string("query parameter \"") + name + "\" must be an integer between " +
                                              std::to_string(min) + " and " + std::to_string(max));
}

http::Response notFound(const std::string& what) { return http::Response::error(404, "not_found", "no " + what); }

http::Response errorResponse(const sdk::Error& error) {
  const auto& c = error.code;
  auto has = [&](std::string_view part) { return c.find(part) != std::string::npos; };
  unsigned status = 400;
  if (has("not_found") || has("unknown_")) {
    status = 404;
  } else if (has("exists") || has("in_use") || has("busy") || has("conflict") || has("not_pairing") ||
             has("elsewhere")) {
    status = 409;
  } else if (c == "storage.unsupported" || c == "sessions.unavailable") {
    status = 501;
  } else if (has("timeout")) {
    status = 504;
  } else if (error.isRetriable()) {
    status = 503;
  } else if (error.isFatal()) {
    status = 500;
  }
  return http::Response::error(status, c, error.message);
}

namespace {

Role needed(Access a) {
  switch (a) {
    case Access::Administer:
      return Role::Admin;
    case Access::Operate:
      return Role::Operator;
    default:
      return Role::ReadOnly;
  }
}

const char* roleName(Access a) {
  switch (a) {
    case Access::Public:
      return "public";
    case Access::Read:
      return "read-only";
    case Access::Operate:
      return "operator";
    case Access::Administer:
      return "admin";
  }
  return "admin";
}

const char* describeNeed(Access a) {
  switch (a) {
    case Access::Administer:
      return "admin";
    case Access::Operate:
      return "operator or admin";
    default:
      return "any";
  }
}

std::string subjectOf(const http::Request& r) {
  std::string s;
  for (const auto& [k, v] : r.params) {
    s += (s.empty() ? "" : " ") + v;
  }
  return s;
}

// Everything before the handler: token, rate, role, tenant. Returns the response to send instead of
// running the handler, if any.
std::optional<http::Response> admit(ApiCore& core, const http::Request& request, Access access, bool allowQueryToken,
                                    Principal& who, std::string& tenant) {
  const bool isPublic = access == Access::Public;
  if (!isPublic) {
    auto auth = core.authenticate(request, allowQueryToken);
    if (auto* refusal = std::get_if<http::Response>(&auth)) {
      return std::move(*refusal);
    }
    who = std::get<Principal>(std::move(auth));
    if (auto wait = core.tokenLimiter().take("token:" + who.name); wait > 0) {
      auto r = http::Response::error(429, "rate_limited", "too many requests with token \"" + who.name + "\"");
      r.headers["Retry-After"] = std::to_string(wait);
      return r;
    }
    if (!allows(who.role, needed(access))) {
      return http::Response::error(403, "forbidden",
                                   "token \"" + who.name + "\" has role " + toString(who.role) + "; " + request.method +
                                       " " + request.path + " needs " + describeNeed(access));
    }
  }
  auto t = core.tenantFor(request, who);
  if (auto* refusal = std::get_if<http::Response>(&t)) {
    return std::move(*refusal);
  }
  tenant = std::get<std::string>(std::move(t));
  if (!who.tenant.empty()) {
    // The tenant's own tokens: refused while it is suspended or over its request quota.
    return core.tenantGuard().admit(tenant);
  }
  return std::nullopt;
}

}  // namespace

void ApiRoutes::add(const std::string& method, const std::string& pattern, Access access, std::string action,
                    CallHandler handler) {
  auto core = core_;
  core->routeAccess().push_back({method, pattern, roleName(access)});
  auto shared = std::make_shared<CallHandler>(std::move(handler));
  router_.addAsync(method, pattern, [core, access, action = std::move(action), shared](http::Request request,
                                                                                      http::Responder respond) {
    boost::asio::post(core->workers(), [core, access, action, shared, request = std::move(request), respond]() {
      Principal who;
      std::string tenant;
      if (auto refusal = admit(*core, request, access, false, who, tenant)) {
        // A refused write by a known caller is worth recording too (who tried what).
        if (!action.empty() && !who.name.empty()) {
          const std::string where = !tenant.empty() ? tenant : !who.tenant.empty() ? who.tenant : sdk::kDefaultTenant;
          core->audit(where, who.name, action, subjectOf(request), "refused " + std::to_string(refusal->status));
        }
        respond(std::move(*refusal));
        return;
      }
      Call call{request, who, tenant, *core, subjectOf(request), ""};
      http::Response response;
      try {
        response = (*shared)(call);
      } catch (const std::exception& e) {
        // A handler bug, not bad input: logged loudly, answered without detail.
        core->log().error("admin handler threw. route=\"{} {}\" error=\"{}\"", request.method, request.path, e.what());
        response = http::Response::error(500, "internal", "internal error");
      }
      if (!action.empty()) {
        core->audit(tenant, who.name, action, call.subject,
                    std::to_string(response.status) + (call.detail.empty() ? "" : " " + call.detail));
      }
      respond(std::move(response));
    });
  });
}

void ApiRoutes::addWebSocket(const std::string& pattern, Access access, WebSocketCallHandler handler) {
  auto core = core_;
  core->routeAccess().push_back({"GET", pattern, roleName(access)});
  router_.addWebSocket(pattern, [core, access, handler = std::move(handler)](
                                    const http::Request& request) -> std::variant<http::Response, http::WebSocketOpen> {
    Principal who;
    std::string tenant;
    if (auto refusal = admit(*core, request, access, true, who, tenant)) {
      return std::move(*refusal);
    }
    Call call{request, who, tenant, *core, "", ""};
    return handler(call);
  });
}

}  // namespace switchboard::admin
