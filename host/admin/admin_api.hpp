#pragma once

// The admin API: an HTTP/WebSocket server (sb_http) over the store, the pipeline, the plugins and
// the metrics. Endpoints and their roles are listed in openapi.yaml beside this file, served at
// /v1/openapi.json.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "admin/admin_services.hpp"
#include "admin/admin_settings.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace switchboard::admin {

class ApiCore;

class AdminApi {
 public:
  AdminApi(AdminSettings settings, AdminServices services);
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  /// Loads the tokens file and TLS files named in the settings, then listens. Errors name the file
  /// or the address.
  sdk::Status start(const boost::asio::any_io_executor& executor);
  /// Stops listening, ends event feeds, waits for running handlers. Idempotent.
  void stop();

  /// Every route the API serves (the OpenAPI test compares them with the document).
  const http::Router& router() const { return *router_; }
  struct RouteRole {
    std::string method, pattern, role;  ///< role: public, read-only, operator, admin
  };
  std::vector<RouteRole> routeRoles() const;
  std::uint16_t port() const;
  std::string baseUrl() const;

  /// Creates a token in the database (what `switchboardd --create-token` does); returns it.
  sdk::Result<std::string> createToken(const std::string& name, const std::string& role, const std::string& tenant);

 private:
  std::shared_ptr<ApiCore> core_;
  std::shared_ptr<http::Router> router_;
  std::shared_ptr<http::Server> server_;
};

/// The OpenAPI document (openapi.yaml, compiled in), converted to JSON.
sdk::Result<nlohmann::json> openApiDocument();

}  // namespace switchboard::admin
