#pragma once

// The WebSocket connection template behind WebSocket, shared by the server (after an upgrade) and
// the client. Private to sb_http.

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>

#include "http/websocket.hpp"

namespace switchboard::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

using PlainWsStream = websocket::stream<beast::tcp_stream>;
using TlsWsStream = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

inline beast::tcp_stream& lowestLayer(PlainWsStream& ws) { return ws.next_layer(); }
inline beast::tcp_stream& lowestLayer(TlsWsStream& ws) { return beast::get_lowest_layer(ws); }

inline websocket::stream_base::timeout wsTimeouts(const WebSocketOptions& o) {
  websocket::stream_base::timeout t{};
  t.handshake_timeout = o.handshakeTimeout;
  t.idle_timeout = o.idleTimeout;
  t.keep_alive_pings = true;
  return t;
}

template <typename Stream>
class WebSocketConnection final : public WebSocket, public std::enable_shared_from_this<WebSocketConnection<Stream>> {
 public:
  WebSocketConnection(Stream ws, WebSocketOptions options)
      : ws_(std::move(ws)), executor_(ws_.get_executor()), options_(options) {
    ws_.read_message_max(options_.maxMessageBytes);
  }
  ~WebSocketConnection() override {
    if (finishedHook_) {
      finishedHook_();
    }
  }

  Stream& stream() { return ws_; }
  /// Runs once when the connection has ended (the server's connection registry uses it).
  void setFinishedHook(std::function<void()> hook) { finishedHook_ = std::move(hook); }

  void start(MessageHandler onMessage, CloseHandler onClose) override {
    asio::post(executor_, [self = this->shared_from_this(), onMessage = std::move(onMessage),
                           onClose = std::move(onClose)]() mutable {
      self->onMessage_ = std::move(onMessage);
      self->onClose_ = std::move(onClose);
      if (self->finished_) {
        self->report();
        return;
      }
      self->read();
    });
  }

  bool send(std::string message, bool binary) override {
    if (!open_.load()) {
      return false;
    }
    // The count is kept outside the strand so a full queue is refused at once, from any thread.
    if (queued_.fetch_add(1) >= options_.maxQueuedMessages) {
      queued_.fetch_sub(1);
      close(1008, "the client does not read fast enough");
      return false;
    }
    asio::post(executor_, [self = this->shared_from_this(), m = std::move(message), binary]() mutable {
      if (self->closing_ || self->finished_) {
        self->queued_.fetch_sub(1);
        return;
      }
      self->queue_.push_back({std::move(m), binary});
      if (self->queue_.size() == 1) {
        self->writeNext();
      }
    });
    return true;
  }

  void close(std::uint16_t code, std::string reason) override {
    open_.store(false);
    asio::post(executor_, [self = this->shared_from_this(), code, reason = std::move(reason)]() mutable {
      if (self->closing_ || self->finished_) {
        return;
      }
      self->closing_ = true;
      self->closeReason_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
      // A full queue means the peer is not reading: waiting for it to drain would never end.
      if (code == 1008) {
        self->queue_.clear();
      }
      if (self->queue_.empty()) {
        self->sendClose();
      }
    });
  }

  bool isOpen() const override { return open_.load(); }
  asio::any_io_executor executor() const override { return executor_; }

 private:
  struct Outgoing {
    std::string data;
    bool binary;
  };

  void read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::closed) {
        self->finish(sdk::okStatus());
        return;
      }
      if (ec) {
        self->finish(self->closing_ ? sdk::okStatus()
                                    : sdk::Status(sdk::Error::retriable("http.websocket", "read failed: " + ec.message())));
        return;
      }
      std::string message = beast::buffers_to_string(self->buffer_.data());
      bool binary = self->ws_.got_binary();
      self->buffer_.consume(self->buffer_.size());
      if (self->onMessage_ && !self->finished_) {
        self->onMessage_(std::move(message), binary);
      }
      if (!self->finished_) {
        self->read();
      }
    });
  }

  void writeNext() {
    ws_.binary(queue_.front().binary);
    ws_.async_write(asio::buffer(queue_.front().data), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->queued_.fetch_sub(1);
      if (ec) {
        self->finish(sdk::Error::retriable("http.websocket", "write failed: " + ec.message()));
        return;
      }
      self->queue_.pop_front();
      if (!self->queue_.empty()) {
        self->writeNext();
      } else if (self->closing_) {
        self->sendClose();
      }
    });
  }

  void sendClose() {
    ws_.async_close(closeReason_, [self = this->shared_from_this()](beast::error_code ec) {
      // The read loop normally sees the peer's reply; if the close itself failed, no reply comes.
      if (ec) {
        self->finish(sdk::okStatus());
      }
    });
  }

  void finish(sdk::Status status) {
    if (finished_) {
      return;
    }
    finished_ = true;
    open_.store(false);
    queued_.fetch_sub(queue_.size());
    queue_.clear();
    status_ = std::move(status);
    report();
    if (auto hook = std::move(finishedHook_)) {
      finishedHook_ = nullptr;
      hook();
    }
    beast::error_code ignored;
    lowestLayer(ws_).socket().close(ignored);
  }

  void report() {
    if (auto cb = std::move(onClose_)) {
      onClose_ = nullptr;
      onMessage_ = nullptr;
      cb(status_);
    }
  }

  Stream ws_;
  asio::any_io_executor executor_;  // the strand every handler runs on
  WebSocketOptions options_;
  beast::flat_buffer buffer_;
  std::deque<Outgoing> queue_;
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> open_{true};
  MessageHandler onMessage_;
  CloseHandler onClose_;
  std::function<void()> finishedHook_;
  websocket::close_reason closeReason_{websocket::close_code::normal};
  sdk::Status status_;
  bool closing_ = false;
  bool finished_ = false;
};

}  // namespace switchboard::http::detail
