#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "protocol/bytes.hpp"

namespace switchboard::whatsapp {

namespace asio = boost::asio;

/// One WebSocket connection carrying binary messages. Handlers run on the connection's strand;
/// send() and close() may be called from any thread.
class WsConnection {
 public:
  using MessageHandler = std::function<void(Bytes)>;
  /// Called once when the connection ends: ok for a clean close, the error otherwise.
  using CloseHandler = std::function<void(sdk::Status)>;

  virtual ~WsConnection() = default;
  virtual void start(MessageHandler onMessage, CloseHandler onClose) = 0;
  virtual void send(Bytes message) = 0;
  /// Sends what is queued, then a WebSocket close frame (code 1000).
  virtual void close() = 0;
  /// Drops the TCP connection at once, without a close frame (tests use it to simulate failure).
  virtual void abort() = 0;
  virtual asio::any_io_executor executor() const = 0;
};
using WsConnectionPtr = std::shared_ptr<WsConnection>;

struct WsTimeouts {
  std::chrono::seconds handshake{20};
  /// With keepalive pings on, a ping goes out after half of this of silence, and the connection
  /// closes when nothing at all arrived for this long.
  std::chrono::seconds idle{60};
  bool keepAlivePings = true;
};

struct WsClientOptions {
  std::string url;  ///< ws://host:port/path or wss://host[:port]/path
  std::string origin = "https://web.whatsapp.com";
  /// Required for wss:// (verify mode and trust store are the caller's choice).
  std::shared_ptr<asio::ssl::context> tls;
  WsTimeouts timeouts;
};

/// Resolves, connects, runs TLS (with SNI) when wss://, and performs the WebSocket handshake.
void connectWebSocket(const asio::any_io_executor& executor, WsClientOptions options,
                      std::function<void(sdk::Result<WsConnectionPtr>)> onDone);

/// Server side: accepts WebSocket connections on one path (the simulator's /ws/chat).
class WsAcceptor : public std::enable_shared_from_this<WsAcceptor> {
 public:
  using ConnectionHandler = std::function<void(WsConnectionPtr)>;

  /// @param tls serve wss:// when set, plain ws:// otherwise
  static sdk::Result<std::shared_ptr<WsAcceptor>> listen(const asio::any_io_executor& executor,
                                                         const asio::ip::tcp::endpoint& endpoint,
                                                         std::shared_ptr<asio::ssl::context> tls = nullptr,
                                                         std::string path = "/ws/chat", WsTimeouts timeouts = {});
  ~WsAcceptor();
  std::uint16_t port() const;
  void start(ConnectionHandler onConnection);
  void stop();

 private:
  struct Impl;
  explicit WsAcceptor(std::unique_ptr<Impl> impl);
  void acceptNext();
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::whatsapp
