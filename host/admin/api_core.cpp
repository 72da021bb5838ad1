#include "admin/api_core.hpp"

#include <chrono>

#include "admin/admin_api.hpp"
#include "admin/api_routes.hpp"

namespace switchboard::admin {

ApiCore::ApiCore(AdminSettings settings, AdminServices services)
    : settings_(std::move(settings)), services_(std::move(services)), tokens_(services_.store),
      workers_(static_cast<std::size_t>(std::max(1, settings_.workerThreads))), log_(host::componentLogger("admin")),
      tokenLimiter_({settings_.tokenRateLimit, settings_.tokenRateBurst}),
      tenantGuard_(services_.store, services_.metrics) {
  auto doc = openApiDocument();
  openApiJson_ = doc.ok() ? doc->dump() : std::string("{}");
  if (!doc.ok()) {
    log_->error("the compiled-in OpenAPI document does not parse: {}", doc.error().describe());
  }
  if (services_.events != nullptr) {
    observing_ = services_.events->subscribe("session.", [this](const sdk::Event& e) { observed_.observe(e); });
  }
}

void ApiCore::stopObserving() {
  std::unique_ptr<sdk::EventBus::Subscription> gone;
  std::lock_guard lock(observingMutex_);
  gone = std::move(observing_);
}

ApiCore::~ApiCore() {
  stopObserving();
  endFeeds();
  workers_.join();
}

namespace {

http::Response unauthenticated(const std::string& message) {
  auto r = http::Response::error(401, "unauthenticated", message);
  r.headers["WWW-Authenticate"] = "Bearer realm=\"switchboard\"";
  return r;
}

}  // namespace

std::variant<Principal, http::Response> ApiCore::authenticate(const http::Request& request, bool allowQueryToken) {
  std::string token;
  auto header = request.header("Authorization");
  if (!header.empty()) {
    if (header.size() < 7 || (header.compare(0, 7, "Bearer ") != 0 && header.compare(0, 7, "bearer ") != 0)) {
      return unauthenticated("the Authorization header must be \"Bearer <token>\"");
    }
    token = header.substr(7);
  } else if (allowQueryToken) {
    token = request.queryValue("access_token").value_or("");
  }
  if (token.empty()) {
    return unauthenticated("a bearer token is required (switchboardd --create-token NAME --role ROLE makes one)");
  }
  auto who = tokens_.authenticate(token);
  if (!who.ok()) {
    log_->warn("token lookup failed. error=\"{}\"", who.error().describe());
    return http::Response::error(503, "unavailable", "tokens cannot be checked right now: " + who.error().message);
  }
  if (!who.value()) {
    return unauthenticated("unknown or revoked token");
  }
  return std::move(*who.value());
}

std::variant<std::string, http::Response> ApiCore::tenantFor(const http::Request& request, const Principal& who) {
  auto asked = request.queryValue("tenant");
  if (!asked) {
    auto header = request.header("X-Switchboard-Tenant");
    if (!header.empty()) {
      asked = header;
    }
  }
  if (!who.tenant.empty()) {
    // A scoped token sees its own tenant only; anything else does not exist for it.
    if (asked && *asked != who.tenant) {
      return http::Response::error(404, "not_found", "no tenant \"" + *asked + "\"");
    }
    return who.tenant;
  }
  if (asked && (asked->empty() || asked->size() > 128)) {
    return http::Response::error(400, "invalid", "bad tenant name");
  }
  return asked.value_or(sdk::kDefaultTenant);
}

void ApiCore::audit(const std::string& tenant, const std::string& actor, const std::string& action,
                    const std::string& subject, const std::string& detail) {
  host::AuditEntry e;
  e.tenant = tenant;
  e.actor = actor;
  e.action = action;
  e.subject = subject;
  e.detail = detail;
  e.atMs = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
               .count();
  if (auto s = services_.store->appendAudit(e); !s.ok()) {
    log_->error("audit entry not written. action={} actor={} error=\"{}\"", action, actor, s.error().describe());
  }
}

bool ApiCore::addFeed(const std::shared_ptr<Feed>& feed) {
  std::lock_guard lock(feedsMutex_);
  std::erase_if(feeds_, [](const auto& w) { return w.expired(); });
  if (feeds_.size() >= settings_.maxEventClients) {
    return false;
  }
  feeds_.push_back(feed);
  return true;
}

void ApiCore::endFeeds() {
  std::vector<std::weak_ptr<Feed>> feeds;
  {
    std::lock_guard lock(feedsMutex_);
    feeds.swap(feeds_);
  }
  for (auto& w : feeds) {
    if (auto f = w.lock()) {
      f->end();
    }
  }
}

}  // namespace switchboard::admin
