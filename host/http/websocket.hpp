#pragma once

// One WebSocket connection, server or client side, plain or TLS. Text or binary messages; handlers
// run on the connection's strand; send() and close() may be called from any thread. The send queue
// is bounded: a peer that does not read fast enough is disconnected (close code 1008) instead of
// growing the daemon's memory.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "switchboard/sdk/result.hpp"

namespace switchboard::http {

namespace sdk = switchboard::sdk;

struct WebSocketOptions {
  std::size_t maxMessageBytes = 64 * 1024;  ///< larger incoming messages close the connection (1009)
  std::size_t maxQueuedMessages = 4096;     ///< outgoing messages waiting; beyond it the peer is dropped
  std::chrono::seconds handshakeTimeout{15};
  /// A ping goes out after half of this of silence; nothing at all for this long closes the connection.
  std::chrono::seconds idleTimeout{60};
};

class WebSocket {
 public:
  using MessageHandler = std::function<void(std::string message, bool binary)>;
  /// Called once when the connection ends: ok for a clean close, the error otherwise.
  using CloseHandler = std::function<void(sdk::Status)>;

  virtual ~WebSocket() = default;
  /// Starts reading. Until called, incoming messages wait in the socket.
  virtual void start(MessageHandler onMessage, CloseHandler onClose) = 0;
  /// Queues a message. Returns false when the connection is closing or the queue was full (the
  /// connection is then closed with 1008).
  virtual bool send(std::string message, bool binary = false) = 0;
  /// Sends what is queued, then a close frame.
  virtual void close(std::uint16_t code = 1000, std::string reason = {}) = 0;
  virtual bool isOpen() const = 0;
  virtual boost::asio::any_io_executor executor() const = 0;
};
using WebSocketPtr = std::shared_ptr<WebSocket>;

}  // namespace switchboard::http
