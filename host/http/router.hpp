#pragma once

// Method + path-pattern routing. Patterns are literal segments and {placeholders}:
// "/v1/conversations/{id}/notes" matches "/v1/conversations/42/notes" with params["id"] = "42".
// A placeholder matches exactly one non-empty segment. When several patterns match, the one with
// more literal segments wins, so "/v1/contacts/export" beats "/v1/contacts/{id}".

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "http/message.hpp"

namespace switchboard::http {

class WebSocket;
using WebSocketPtr = std::shared_ptr<WebSocket>;

/// Hands a response back to the connection; may be called from any thread, once (later calls are
/// ignored). A handler that drops every copy without calling it gets a 500 sent for it.
class Responder {
 public:
  using Sink = std::function<void(Response)>;
  explicit Responder(Sink sink);
  void operator()(Response response) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// A handler that answers at once, on the connection's strand. Keep it short: it runs on the I/O pool.
using Handler = std::function<Response(const Request&)>;
/// A handler that answers later (after work on another executor), through the Responder.
using AsyncHandler = std::function<void(Request, Responder)>;
/// Called with the open socket once the upgrade has completed.
using WebSocketOpen = std::function<void(WebSocketPtr)>;
/// Decides on an upgrade before it happens: a Response refuses it (401, 403, ...), a WebSocketOpen
/// accepts it.
using WebSocketHandler = std::function<std::variant<Response, WebSocketOpen>(const Request&)>;

struct RouteInfo {
  std::string method;   ///< "GET", "POST", ...; WebSocket routes are "GET"
  std::string pattern;  ///< as registered
  bool websocket = false;
};

class Router {
 public:
  /// Registers a route. Registering the same method and pattern twice is a programming error (throws).
  void add(std::string method, std::string pattern, Handler handler);
  void addAsync(std::string method, std::string pattern, AsyncHandler handler);
  void addWebSocket(std::string pattern, WebSocketHandler handler);

  /// Every registered route, in registration order (the OpenAPI check compares against these).
  std::vector<RouteInfo> routes() const;

  struct Match {
    enum class Kind { Found, NotFound, MethodNotAllowed, UpgradeRequired } kind = Kind::NotFound;
    const AsyncHandler* handler = nullptr;       ///< set for plain routes
    const WebSocketHandler* websocket = nullptr;  ///< set for WebSocket routes
    std::map<std::string, std::string> params;
    std::string pattern;  ///< the matched route's pattern (a bounded label for metrics and logs)
    std::string allow;  ///< for MethodNotAllowed: the methods the path accepts, "GET, POST"
  };
  /// Finds the route for a method and a path's decoded segments (see parseTarget). `wantsUpgrade`
  /// selects WebSocket routes.
  Match match(const std::string& method, const std::vector<std::string>& segments, bool wantsUpgrade) const;
  /// The same for a path given as text, split on '/' without decoding.
  Match match(const std::string& method, const std::string& path, bool wantsUpgrade) const;

 private:
  struct Segment {
    std::string text;
    bool placeholder = false;
  };
  struct Route {
    RouteInfo info;
    std::vector<Segment> segments;
    int literals = 0;
    AsyncHandler handler;
    WebSocketHandler websocket;
  };
  void insert(Route route);
  static std::vector<Segment> compile(const std::string& pattern);
  static bool matches(const Route& route, const std::vector<std::string>& parts,
                      std::map<std::string, std::string>* params);

  std::vector<Route> routes_;
};

}  // namespace switchboard::http
