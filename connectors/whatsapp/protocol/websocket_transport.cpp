#include "protocol/websocket_transport.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <optional>
#include <type_traits>

namespace switchboard::whatsapp {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

sdk::Error netError(std::string what, const beast::error_code& ec) {
  return sdk::Error::retriable("wa.transport", what + ": " + ec.message());
}

websocket::stream_base::timeout beastTimeouts(const WsTimeouts& t) {
  websocket::stream_base::timeout out{};
  out.handshake_timeout = t.handshake;
  out.idle_timeout = t.idle;
  out.keep_alive_pings = t.keepAlivePings;
  return out;
}

beast::tcp_stream& lowest(PlainWs& ws) { return ws.next_layer(); }
beast::tcp_stream& lowest(TlsWs& ws) { return beast::get_lowest_layer(ws); }

template <typename Stream>
class Connection final : public WsConnection, public std::enable_shared_from_this<Connection<Stream>> {
 public:
  explicit Connection(Stream ws) : ws_(std::move(ws)), executor_(ws_.get_executor()) { ws_.binary(true); }

  void start(MessageHandler onMessage, CloseHandler onClose) override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), onMessage = std::move(onMessage),
                                    onClose = std::move(onClose)]() mutable {
      self->onMessage_ = std::move(onMessage);
      self->onClose_ = std::move(onClose);
      self->read();
    });
  }

  void send(Bytes message) override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this(), m = std::move(message)]() mutable {
      if (self->closing_ || self->finished_) {
        return;
      }
      self->queue_.push_back(std::move(m));
      if (self->queue_.size() == 1) {
        self->writeNext();
      }
    });
  }

  void close() override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      if (self->closing_ || self->finished_) {
        return;
      }
      self->closing_ = true;
      if (self->queue_.empty()) {
        self->sendClose();
      }
    });
  }

  void abort() override {
    asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
      beast::error_code ignored;
      lowest(self->ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      lowest(self->ws_).close();
      self->finish(sdk::Error::retriable("wa.transport.aborted", "the connection was aborted locally"));
    });
  }

  asio::any_io_executor executor() const override { return executor_; }

 private:
  void read() {
    ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == websocket::error::closed) {
        self->finish(sdk::okStatus());
        return;
      }
      if (ec) {
        self->finish(self->closing_ ? sdk::okStatus() : sdk::Status(netError("read failed", ec)));
        return;
      }
      auto data = self->buffer_.data();
      Bytes message(static_cast<const std::uint8_t*>(data.data()),
                    static_cast<const std::uint8_t*>(data.data()) + data.size());
      self->buffer_.consume(self->buffer_.size());
      if (self->onMessage_ && !self->finished_) {
        self->onMessage_(std::move(message));
      }
      if (!self->finished_) {
        self->read();
      }
    });
  }

  void writeNext() {
    ws_.async_write(asio::buffer(queue_.front()), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->finish(netError("write failed", ec));
        return;
      }
      if (self->finished_) {
        self->queue_.clear();  // the connection ended while this write was in flight
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
    ws_.async_close(websocket::close_code::normal, [self = this->shared_from_this()](beast::error_code) {
      // The read loop sees the peer's close reply (or the error) and reports the end.
    });
  }

  void finish(sdk::Status status) {
    if (finished_) {
      return;
    }
    finished_ = true;
    // A non-empty queue means a write is in flight: its buffer (the front) must outlive it.
    if (queue_.size() > 1) {
      queue_.erase(queue_.begin() + 1, queue_.end());
    }
    if (auto cb = std::move(onClose_)) {
      onClose_ = nullptr;
      onMessage_ = nullptr;
      cb(std::move(status));
    }
  }

  Stream ws_;
  asio::any_io_executor executor_;  // the strand every handler runs on
  beast::flat_buffer buffer_;
  std::deque<Bytes> queue_;
  MessageHandler onMessage_;
  CloseHandler onClose_;
  bool closing_ = false;
  bool finished_ = false;
};

struct ParsedUrl {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

sdk::Result<ParsedUrl> parseUrl(const std::string& url) {
  ParsedUrl u;
  std::string rest;
  if (url.rfind("wss://", 0) == 0) {
    u.tls = true;
    rest = url.substr(6);
  } else if (url.rfind("ws://", 0) == 0) {
    rest = url.substr(5);
  } else {
    return sdk::Error::permanent("wa.transport.url", "not a ws:// or wss:// URL: " + url);
  }
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    u.host = authority.substr(0, colon);
    u.port = authority.substr(colon + 1);
  } else {
    u.host = authority;
    u.port = u.tls ? "443" : "80";
  }
  if (u.host.empty()) {
    return sdk::Error::permanent("wa.transport.url", "no host in " + url);
  }
  return u;
}

// The client's connect sequence as one object that lives until its handler has run.
class ConnectOp : public std::enable_shared_from_this<ConnectOp> {
 public:
  ConnectOp(asio::any_io_executor ex, WsClientOptions options, ParsedUrl url,
            std::function<void(sdk::Result<WsConnectionPtr>)> onDone)
      : strand_(asio::make_strand(ex)), resolver_(strand_), options_(std::move(options)), url_(std::move(url)),
        onDone_(std::move(onDone)) {}

  void run() {
    resolver_.async_resolve(url_.host, url_.port,
                            [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                              if (ec) {
                                return self->done(netError("cannot resolve " + self->url_.host, ec));
                              }
                              self->connect(results);
                            });
  }

 private:
  void connect(const tcp::resolver::results_type& results) {
    beast::tcp_stream stream(strand_);
    stream.expires_after(options_.timeouts.handshake);
    if (url_.tls) {
      tls_.emplace(std::move(stream), *options_.tls);
      if (!SSL_set_tlsext_host_name(tls_->next_layer().native_handle(), url_.host.c_str())) {
        return done(sdk::Error::permanent("wa.transport.tls", "cannot set the TLS server name"));
      }
      beast::get_lowest_layer(*tls_).async_connect(
          results, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
            if (ec) {
              return self->done(netError("cannot connect", ec));
            }
            self->tls_->next_layer().async_handshake(asio::ssl::stream_base::client, [self](beast::error_code ec2) {
              if (ec2) {
                return self->done(netError("TLS handshake failed", ec2));
              }
              self->wsHandshake(*self->tls_);
            });
          });
    } else {
      plain_.emplace(std::move(stream));
      plain_->next_layer().async_connect(results, [self = shared_from_this()](beast::error_code ec,
                                                                              const tcp::endpoint&) {
        if (ec) {
          return self->done(netError("cannot connect", ec));
        }
        self->wsHandshake(*self->plain_);
      });
    }
  }

  template <typename Stream>
  void wsHandshake(Stream& ws) {
    lowest(ws).expires_never();  // the websocket stream's own timeouts take over
    ws.set_option(beastTimeouts(options_.timeouts));
    ws.set_option(websocket::stream_base::decorator([origin = options_.origin](websocket::request_type& req) {
      req.set(http::field::origin, origin);
      req.set(http::field::user_agent, "switchboard");
    }));
    std::string host = url_.host + ":" + url_.port;
    ws.async_handshake(host, url_.target, [self = shared_from_this(), &ws](beast::error_code ec) {
      if (ec) {
        return self->done(netError("WebSocket handshake failed", ec));
      }
      self->done(WsConnectionPtr(std::make_shared<Connection<Stream>>(std::move(ws))));
    });
  }

  void done(sdk::Result<WsConnectionPtr> result) {
    if (auto cb = std::move(onDone_)) {
      onDone_ = nullptr;
      cb(std::move(result));
    }
  }

  asio::strand<asio::any_io_executor> strand_;
  tcp::resolver resolver_;
  WsClientOptions options_;
  ParsedUrl url_;
  std::function<void(sdk::Result<WsConnectionPtr>)> onDone_;
  std::optional<PlainWs> plain_;
  std::optional<TlsWs> tls_;
};

}  // namespace

void connectWebSocket(const asio::any_io_executor& executor, WsClientOptions options,
                      std::function<void(sdk::Result<WsConnectionPtr>)> onDone) {
  auto url = parseUrl(options.url);
  if (!url) {
    asio::post(executor, [onDone = std::move(onDone), e = url.takeError()]() mutable { onDone(std::move(e)); });
    return;
  }
  if (url->tls && !options.tls) {
    asio::post(executor, [onDone = std::move(onDone)] {
      onDone(sdk::Error::permanent("wa.transport.tls", "wss:// needs a TLS context"));
    });
    return;
  }
  std::make_shared<ConnectOp>(executor, std::move(options), std::move(*url), std::move(onDone))->run();
}

// ---------------------------------------------------------------------------------------------

struct WsAcceptor::Impl {
  Impl(const asio::any_io_executor& ex, std::shared_ptr<asio::ssl::context> t, std::string p, WsTimeouts to)
      : executor(ex), acceptor(asio::make_strand(ex)), tls(std::move(t)), path(std::move(p)), timeouts(to) {}
  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  std::shared_ptr<asio::ssl::context> tls;
  std::string path;
  WsTimeouts timeouts;
  ConnectionHandler onConnection;
};

namespace {

// Reads the upgrade request, checks the path, and accepts; connections to other paths get a 404.
template <typename Stream>
class AcceptOp : public std::enable_shared_from_this<AcceptOp<Stream>> {
 public:
  AcceptOp(Stream ws, std::string path, WsTimeouts timeouts, WsAcceptor::ConnectionHandler onConnection)
      : ws_(std::move(ws)), path_(std::move(path)), timeouts_(timeouts), onConnection_(std::move(onConnection)) {}

  void run() {
    lowest(ws_).expires_after(timeouts_.handshake);
    if constexpr (std::is_same_v<Stream, TlsWs>) {
      ws_.next_layer().async_handshake(asio::ssl::stream_base::server,
                                       [self = this->shared_from_this()](beast::error_code ec) {
                                         if (!ec) {
                                           self->readRequest();
                                         }
                                       });
    } else {
      readRequest();
    }
  }

 private:
  void readRequest() {
    http::async_read(ws_.next_layer(), buffer_, request_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (ec) {
                         return;  // the client went away or sent garbage: nothing to report
                       }
                       self->accept();
                     });
  }

  void accept() {
    if (!websocket::is_upgrade(request_) || request_.target() != path_) {
      auto res = std::make_shared<http::response<http::string_body>>(http::status::not_found, request_.version());
      res->set(http::field::connection, "close");
      res->body() = "not found\n";
      res->prepare_payload();
      http::async_write(ws_.next_layer(), *res, [self = this->shared_from_this(), res](beast::error_code, std::size_t) {
        beast::error_code ignored;
        lowest(self->ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      });
      return;
    }
    lowest(ws_).expires_never();
    ws_.set_option(beastTimeouts(timeouts_));
    ws_.async_accept(request_, [self = this->shared_from_this()](beast::error_code ec) {
      if (ec) {
        return;
      }
      if (self->onConnection_) {
        self->onConnection_(std::make_shared<Connection<Stream>>(std::move(self->ws_)));
      }
    });
  }

  Stream ws_;
  std::string path_;
  WsTimeouts timeouts_;
  WsAcceptor::ConnectionHandler onConnection_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
};

}  // namespace

WsAcceptor::WsAcceptor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WsAcceptor::~WsAcceptor() = default;

sdk::Result<std::shared_ptr<WsAcceptor>> WsAcceptor::listen(const asio::any_io_executor& executor,
                                                            const tcp::endpoint& endpoint,
                                                            std::shared_ptr<asio::ssl::context> tls, std::string path,
                                                            WsTimeouts timeouts) {
  auto impl = std::make_unique<Impl>(executor, std::move(tls), std::move(path), timeouts);
  beast::error_code ec;
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    impl->acceptor.bind(endpoint, ec);
  }
  if (!ec) {
    impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return netError("cannot listen on " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()), ec);
  }
  return std::shared_ptr<WsAcceptor>(new WsAcceptor(std::move(impl)));
}

std::uint16_t WsAcceptor::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void WsAcceptor::start(ConnectionHandler onConnection) {
  asio::post(impl_->acceptor.get_executor(), [self = shared_from_this(), cb = std::move(onConnection)]() mutable {
    self->impl_->onConnection = std::move(cb);
    self->acceptNext();
  });
}

void WsAcceptor::stop() {
  asio::post(impl_->acceptor.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->impl_->acceptor.close(ignored);
  });
}

void WsAcceptor::acceptNext() {
  impl_->acceptor.async_accept(asio::make_strand(impl_->executor),
                               [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                                 if (ec == asio::error::operation_aborted || !self->impl_->acceptor.is_open()) {
                                   return;
                                 }
                                 if (!ec) {
                                   auto& impl = *self->impl_;
                                   beast::tcp_stream stream(std::move(socket));
                                   if (impl.tls) {
                                     std::make_shared<AcceptOp<TlsWs>>(TlsWs(std::move(stream), *impl.tls), impl.path,
                                                                       impl.timeouts, impl.onConnection)
                                         ->run();
                                   } else {
                                     std::make_shared<AcceptOp<PlainWs>>(PlainWs(std::move(stream)), impl.path,
                                                                         impl.timeouts, impl.onConnection)
                                         ->run();
                                   }
                                 }
                                 self->acceptNext();
                               });
}

}  // namespace switchboard::whatsapp
