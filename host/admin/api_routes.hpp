#pragma once

// How the admin API's route files register their handlers: each route names the role it needs and
// the action it records in the audit log; the registration wraps the handler with authentication,
// per-token rate limiting, the role check, tenant resolution, the audit entry, and moves it off the
// I/O threads onto the API's workers (handlers wait on the database). Private to host/admin.

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "admin/admin_services.hpp"
#include "admin/admin_settings.hpp"
#include "admin/roles.hpp"
#include "admin/token_store.hpp"
#include "http/router.hpp"

namespace switchboard::admin {

using json = nlohmann::json;

/// Who may call a route.
enum class Access { Public, Read, Operate, Administer };

class ApiCore;

/// One authenticated request, as a handler sees it.
struct Call {
  const http::Request& request;
  const Principal& who;   ///< name empty on public routes called without a token
  std::string tenant;     ///< the tenant the request acts in
  ApiCore& core;
  std::string subject;    ///< set by write handlers: what the audit entry is about
  std::string detail;     ///< set by write handlers: a short description for the audit entry

  AdminServices& services() const;
  std::shared_ptr<sdk::TenantStorage> storage() const;
  /// The body as JSON, or the error response to return.
  sdk::Result<json> body() const;
  /// An integer query parameter within [min, max], `fallback` when absent; an "invalid" error otherwise.
  sdk::Result<int> queryInt(const char* name, int fallback, int min, int max) const;
};

using CallHandler = std::function<http::Response(Call&)>;
using WebSocketCallHandler = std::function<std::variant<http::Response, http::WebSocketOpen>(Call&)>;

class ApiRoutes {
 public:
  ApiRoutes(http::Router& router, std::shared_ptr<ApiCore> core) : router_(router), core_(std::move(core)) {}
  /// `action` names the write in the audit log ("agent.create"); empty for reads.
  void add(const std::string& method, const std::string& pattern, Access access, std::string action, CallHandler handler);
  /// WebSocket routes authenticate on the upgrade request (Authorization header, or the
  /// `access_token` query parameter for browsers, which cannot set headers on WebSockets).
  void addWebSocket(const std::string& pattern, Access access, WebSocketCallHandler handler);
  ApiCore& core() { return *core_; }

 private:
  http::Router& router_;
  std::shared_ptr<ApiCore> core_;
};

// Route groups, one file each.
void addSystemRoutes(ApiRoutes& routes);
void addAgentRoutes(ApiRoutes& routes);
void addConversationRoutes(ApiRoutes& routes);
void addContactRoutes(ApiRoutes& routes);
void addTemplateRoutes(ApiRoutes& routes);
void addMessageRoutes(ApiRoutes& routes);
void addAccountRoutes(ApiRoutes& routes);
void addEventFeed(ApiRoutes& routes);
void addConsoleRoutes(ApiRoutes& routes);
void addPluginStateRoutes(ApiRoutes& routes);
void addStatsRoutes(ApiRoutes& routes);
void addAnalyticsRoutes(ApiRoutes& routes);
void addTenantRoutes(ApiRoutes& routes);
void addClusterRoutes(ApiRoutes& routes);

/// Maps an SDK error to a response: "*.not_found"/"unknown_*" 404, "*.exists"/"*.in_use"/"*.busy"
/// 409, "invalid"/"command.invalid" 400, retriable 503, others 400.
http::Response errorResponse(const sdk::Error& error);
/// 404 with the project's body: `what` ("agent \"a1\"") was not found in the tenant.
http::Response notFound(const std::string& what);

}  // namespace switchboard::admin
