#pragma once

/// @file
/// @brief Inbound HTTP for plugins (SDK 1.2): a plugin registers a POST route that the host serves
/// on the admin API's listener at `/v1/hooks/<instance>/<name>` (webhooks from a CRM, a payment
/// provider, ...). The admin API's bearer tokens do not apply to these routes: the plugin
/// authenticates each request itself (an HMAC signature, a shared secret).

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "switchboard/sdk/result.hpp"

namespace switchboard::sdk {

/// @brief What the route handler receives.
struct HttpRouteRequest {
  std::string path;                            ///< As requested, without the query.
  std::map<std::string, std::string> headers;  ///< Names in lower case.
  std::string body;                            ///< Bounded by the listener's body limit.
  std::string remoteAddress;                   ///< For logs.
};

/// @brief What the handler answers.
struct HttpRouteResponse {
  unsigned status = 200;
  std::string contentType = "application/json";
  std::string body;
};

/// @brief Runs on the plugin's strand; must call `respond` exactly once, from any thread (a dropped
/// responder answers 500).
using HttpRouteHandler = std::function<void(HttpRouteRequest, std::function<void(HttpRouteResponse)> respond)>;

/// @brief A registered route; destroying it removes the route (requests arriving later get 404).
class HttpRoute {
 public:
  virtual ~HttpRoute() = default;
  /// @brief The path the route is served at, e.g. "/v1/hooks/crm/webhook".
  virtual const std::string& path() const = 0;
};

}  // namespace switchboard::sdk
