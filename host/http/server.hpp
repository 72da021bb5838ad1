#pragma once

// The project's one HTTP/1.1 server (Boost.Beast): the admin API, the simulator's control API and
// media endpoint, webhooks. Listens on one address, plain or TLS, routes by method and path pattern,
// limits request sizes and per-client request rates, keeps connections alive within timeouts,
// answers errors with JSON bodies, upgrades to WebSocket on WebSocket routes, and stops gracefully.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/rate_limiter.hpp"
#include "http/router.hpp"
#include "http/tls.hpp"
#include "http/websocket.hpp"

namespace switchboard::sdk {
class Metrics;
}

namespace switchboard::http {

struct ServerOptions {
  std::string address = "127.0.0.1";  ///< IPv4 or IPv6 literal; "0.0.0.0" / "::" for every interface
  std::uint16_t port = 0;             ///< 0 picks a free port (see Server::port())
  TlsContextPtr tls;                  ///< serve HTTPS when set (see tls.hpp)
  std::size_t maxHeaderBytes = 16 * 1024;     ///< larger request heads get 431
  std::size_t maxBodyBytes = 1024 * 1024;     ///< larger bodies get 413
  std::chrono::milliseconds requestTimeout{30000};  ///< to receive one whole request (and the TLS handshake)
  std::chrono::milliseconds idleTimeout{60000};     ///< keep-alive: wait this long for the next request
  std::chrono::milliseconds writeTimeout{30000};    ///< to send one response
  std::size_t maxConnections = 1024;  ///< beyond it new connections get 503 and are closed
  RateLimit rateLimit;                ///< per client address; off by default
  WebSocketOptions websocket;
  std::string serverHeader = "switchboard";
  std::string name = "http";           ///< logger name and the `server` label of the metrics
  switchboard::sdk::Metrics* metrics = nullptr;  ///< optional: request counts and latencies
};

class Server : public std::enable_shared_from_this<Server> {
 public:
  /// Binds and starts accepting on `executor` (an io_context's executor; connections get strands
  /// of it). The router is shared and must not change after this call.
  static sdk::Result<std::shared_ptr<Server>> start(const boost::asio::any_io_executor& executor,
                                                    ServerOptions options, std::shared_ptr<const Router> router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// The bound port (useful with port 0).
  std::uint16_t port() const;
  /// "http://127.0.0.1:PORT" or "https://..."; IPv6 addresses in brackets.
  std::string baseUrl() const;
  /// Stops accepting; requests in progress get their response (with Connection: close), idle
  /// connections are closed, WebSockets get a 1001 close. Returns at once; the executor's run()
  /// returns once every connection is gone. Safe to call more than once and from any thread.
  void stop();
  /// Connections open now (HTTP and WebSocket).
  std::size_t connections() const;

  struct Impl;

 private:
  explicit Server(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace switchboard::http
