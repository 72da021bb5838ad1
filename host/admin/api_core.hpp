#pragma once

// State shared by every admin route: settings, services, tokens, the worker pool, limits, the
// event feeds' bookkeeping. Private to host/admin.

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "admin/admin_services.hpp"
#include "admin/admin_settings.hpp"
#include "admin/observed_sessions.hpp"
#include "admin/roles.hpp"
#include "admin/tenant_guard.hpp"
#include "admin/token_store.hpp"
#include "common/logging.hpp"
#include "http/message.hpp"
#include "http/rate_limiter.hpp"

namespace switchboard::admin {

class ApiCore {
 public:
  ApiCore(AdminSettings settings, AdminServices services);
  ~ApiCore();

  const AdminSettings& settings() const { return settings_; }
  AdminServices& services() { return services_; }
  TokenStore& tokens() { return tokens_; }
  boost::asio::thread_pool& workers() { return workers_; }
  spdlog::logger& log() { return *log_; }
  http::RateLimiter& tokenLimiter() { return tokenLimiter_; }
  /// Suspended tenants and API request quotas (tokens scoped to a tenant).
  TenantGuard& tenantGuard() { return tenantGuard_; }

  /// The principal behind a request's bearer token (or `access_token` when `allowQueryToken`), or
  /// the 401/503 response to send.
  std::variant<Principal, http::Response> authenticate(const http::Request& request, bool allowQueryToken);
  /// The tenant a request acts in, or the 404 to send (a scoped token naming another tenant).
  std::variant<std::string, http::Response> tenantFor(const http::Request& request, const Principal& who);
  /// Appends to the audit log; failures are logged (the response has already been decided).
  void audit(const std::string& tenant, const std::string& actor, const std::string& action,
             const std::string& subject, const std::string& detail);

  /// Event feeds register here so stop() can end their bus subscriptions before the bus goes away.
  struct Feed {
    std::mutex mutex;
    std::unique_ptr<sdk::EventBus::Subscription> subscription;
    void end() {
      std::unique_ptr<sdk::EventBus::Subscription> gone;
      {
        std::lock_guard lock(mutex);
        gone = std::move(subscription);
      }
    }
  };
  /// false when max_event_clients feeds are open already.
  bool addFeed(const std::shared_ptr<Feed>& feed);
  void endFeeds();

  /// Every route with the role it needs ("public", "read-only", "operator", "admin"), in
  /// registration order (the OpenAPI test compares them with the document's x-required-role).
  struct RouteAccess {
    std::string method, pattern, role;
  };
  std::vector<RouteAccess>& routeAccess() { return routeAccess_; }

  /// Sessions known from `session.*` events (connectors without SessionControl). Observing starts
  /// with the core (before the daemon starts its plugins) and ends with stopObserving().
  ObservedSessions& observedSessions() { return observed_; }
  void stopObserving();

  /// The OpenAPI document, served as JSON.
  const std::string& openApiJson() const { return openApiJson_; }

 private:
  AdminSettings settings_;
  AdminServices services_;
  TokenStore tokens_;
  boost::asio::thread_pool workers_;
  std::shared_ptr<spdlog::logger> log_;
  http::RateLimiter tokenLimiter_;
  TenantGuard tenantGuard_;
  std::mutex feedsMutex_;
  std::vector<std::weak_ptr<Feed>> feeds_;
  std::string openApiJson_;
  std::vector<RouteAccess> routeAccess_;
  ObservedSessions observed_;
  std::mutex observingMutex_;
  std::unique_ptr<sdk::EventBus::Subscription> observing_;
};

}  // namespace switchboard::admin
