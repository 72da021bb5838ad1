#pragma once

// The project's one outgoing HTTP(S) client (Boost.Beast + OpenSSL): CRM sync, AI agent plugins,
// sbctl. Certificate and host-name verification are on by default. Every call has a deadline. No
// retries happen in here: the caller knows whether a request is safe to repeat and owns backoff.
// A response with any status is a successful call; errors are for not getting a response at all.
//
// Error codes: "http.url" (bad URL), "http.connect" (resolve/connect failed; retriable),
// "http.timeout" (deadline passed; retriable), "http.tls" (handshake or certificate verification
// failed), "http.io" (connection broke mid-exchange; retriable), "http.response" (malformed or
// larger than the limit).

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "http/message.hpp"
#include "http/tls.hpp"
#include "http/websocket.hpp"

namespace switchboard::http {

struct ClientOptions {
  ClientTlsOptions tls;        ///< verification on, system trust store, unless changed
  TlsContextPtr tlsContext;    ///< a ready context instead of `tls` (shared between clients)
  std::chrono::milliseconds timeout{30000};  ///< default deadline for a whole request
  std::size_t maxResponseBytes = 16 * 1024 * 1024;
  std::string userAgent = "switchboard";
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::chrono::milliseconds timeout{0};  ///< 0: the client's default
};

struct ClientResponse {
  unsigned status = 0;
  Headers headers;
  std::string body;
  std::string header(const std::string& name) const;
};

class Client {
 public:
  /// Builds the TLS context now when a CA file or PEM is given (so a bad path fails here); with the
  /// system trust store it is loaded on the first https:// or wss:// request (loading it costs
  /// more than a plain-HTTP exchange to loopback, which many callers only ever make).
  static sdk::Result<std::shared_ptr<Client>> create(const boost::asio::any_io_executor& executor,
                                                     ClientOptions options = {});

  using ResponseHandler = std::function<void(sdk::Result<ClientResponse>)>;
  /// One request on a new connection. `done` runs once, on a strand of the client's executor.
  void request(ClientRequest request, ResponseHandler done);

  using WebSocketHandler = std::function<void(sdk::Result<WebSocketPtr>)>;
  /// Opens a ws:// or wss:// connection (http:// and https:// are accepted as their WebSocket
  /// equivalents), sending `headers` with the upgrade request (Authorization, ...).
  void connectWebSocket(const std::string& url, Headers headers, WebSocketHandler done,
                        WebSocketOptions options = {});

  const ClientOptions& options() const { return options_; }

 private:
  Client(boost::asio::any_io_executor executor, ClientOptions options, TlsContextPtr tls);
  sdk::Result<TlsContextPtr> tls();

  boost::asio::any_io_executor executor_;
  ClientOptions options_;
  std::mutex tlsMutex_;
  TlsContextPtr tls_;
};

/// A blocking request on a private io_context, for command-line tools and tests.
sdk::Result<ClientResponse> fetch(const ClientOptions& options, ClientRequest request);

}  // namespace switchboard::http
