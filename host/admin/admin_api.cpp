#include "admin/admin_api.hpp"

#include "admin/api_core.hpp"
#include "admin/api_routes.hpp"
#include "plugin/plugin_http.hpp"

namespace switchboard::admin {

AdminApi::AdminApi(AdminSettings settings, AdminServices services)
    : core_(std::make_shared<ApiCore>(std::move(settings), std::move(services))),
      router_(std::make_shared<http::Router>()) {
  ApiRoutes routes(*router_, core_);
  addSystemRoutes(routes);
  addAccountRoutes(routes);
  addAgentRoutes(routes);
  addConversationRoutes(routes);
  addContactRoutes(routes);
  addTemplateRoutes(routes);
  addMessageRoutes(routes);
  addEventFeed(routes);
  addConsoleRoutes(routes);
  addPluginStateRoutes(routes);
  addStatsRoutes(routes);
  addAnalyticsRoutes(routes);
  addTenantRoutes(routes);
  addClusterRoutes(routes);
  // Plugins' own routes (SDK addHttpRoute): public here, each plugin checks its callers (a signed
  // webhook, its own secret). Without a table from the daemon, an empty one: every hook is a 404.
  auto table = core_->services().pluginRoutes ? core_->services().pluginRoutes : std::make_shared<host::PluginRouteTable>();
  host::mountPluginRoutes(*router_, table);
  core_->routeAccess().push_back({"POST", host::PluginRouteTable::kPattern, "public"});
}

AdminApi::~AdminApi() { stop(); }

sdk::Status AdminApi::start(const boost::asio::any_io_executor& executor) {
  const auto& s = core_->settings();
  if (!s.tokensFile.empty()) {
    SB_TRY(core_->tokens().loadFile(s.tokensFile));
  }
  http::ServerOptions o;
  o.address = s.address;
  o.port = s.port;
  o.maxBodyBytes = s.maxBodyBytes;
  o.requestTimeout = s.requestTimeout;
  o.rateLimit = {s.rateLimit, s.rateBurst};
  o.name = "admin";
  o.metrics = core_->services().metrics;
  o.maxConnections = 512;
  if (s.tlsCert.empty() != s.tlsKey.empty()) {
    return sdk::Error::permanent("admin.tls", "admin.tls_cert and admin.tls_key go together; one of them is empty");
  }
  if (!s.tlsCert.empty()) {
    auto tls = http::serverTlsFromFiles(s.tlsCert, s.tlsKey);
    if (!tls) {
      return tls.takeError();
    }
    o.tls = std::move(tls).value();
  }
  auto server = http::Server::start(executor, std::move(o), router_);
  if (!server) {
    return server.takeError();
  }
  server_ = std::move(server).value();
  core_->log().info("admin API listening. url={} tokens_file={}", server_->baseUrl(),
                    s.tokensFile.empty() ? "-" : s.tokensFile);
  return sdk::okStatus();
}

void AdminApi::stop() {
  if (server_) {
    server_->stop();
  }
  core_->stopObserving();
  core_->endFeeds();
  // Handlers still running finish; nothing new starts (a late request gets a 500 from its Responder).
  core_->workers().join();
}

std::vector<AdminApi::RouteRole> AdminApi::routeRoles() const {
  std::vector<RouteRole> out;
  for (const auto& r : core_->routeAccess()) {
    out.push_back({r.method, r.pattern, r.role});
  }
  return out;
}

std::uint16_t AdminApi::port() const { return server_ ? server_->port() : 0; }

std::string AdminApi::baseUrl() const { return server_ ? server_->baseUrl() : std::string(); }

sdk::Result<std::string> AdminApi::createToken(const std::string& name, const std::string& role,
                                               const std::string& tenant) {
  auto parsed = parseRole(role);
  if (!parsed) {
    return sdk::Error::permanent("invalid", "unknown role \"" + role + "\"; allowed: admin, operator, read-only");
  }
  auto made = core_->tokens().create(name, *parsed, tenant);
  if (!made) {
    return made.takeError();
  }
  core_->audit(tenant.empty() ? sdk::kDefaultTenant : tenant, "switchboardd --create-token", "token.create", name,
               std::string("role=") + role);
  return std::move(made->first);
}

}  // namespace switchboard::admin
