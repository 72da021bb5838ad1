#include "http/server.hpp"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <mutex>
#include <optional>

#include "common/logging.hpp"
#include "http/url.hpp"
#include "http/websocket_impl.hpp"
#include "switchboard/sdk/context.hpp"

namespace switchboard::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  asio::any_io_executor executor;
  asio::strand<asio::any_io_executor> strand;  // the acceptor's
  ServerOptions options;
  std::shared_ptr<const Router> router;
  tcp::acceptor acceptor;
  RateLimiter limiter;
  std::shared_ptr<spdlog::logger> log;
  std::uint16_t boundPort = 0;

  std::atomic<bool> stopping{false};
  mutable std::mutex mutex;
  std::uint64_t nextId = 0;
  std::map<std::uint64_t, std::function<void()>> live;  // connection id -> its graceful-stop call

  Impl(const asio::any_io_executor& ex, ServerOptions opts, std::shared_ptr<const Router> r)
      : executor(ex), strand(asio::make_strand(ex)), options(std::move(opts)), router(std::move(r)),
        acceptor(strand), limiter(options.rateLimit), log(host::componentLogger(options.name)) {}

  std::uint64_t enroll(std::function<void()> stopCall, bool* overloaded) {
    std::lock_guard lock(mutex);
    *overloaded = live.size() >= options.maxConnections;
    auto id = ++nextId;
    live.emplace(id, std::move(stopCall));
    return id;
  }
  void withdraw(std::uint64_t id) {
    std::lock_guard lock(mutex);
    live.erase(id);
  }

  void accept();
  void countRequest(const std::string& method, const std::string& route, unsigned status, double seconds) {
    if (options.metrics == nullptr) {
      return;
    }
    options.metrics
        ->counter("http_requests_total", "HTTP requests answered, by route and status",
                  {{"server", options.name}, {"method", method}, {"route", route}, {"status", std::to_string(status)}})
        .inc();
    options.metrics
        ->histogram("http_request_duration_seconds", "Time from a complete request to its response",
                    {{"server", options.name}})
        .observe(seconds);
  }
};

namespace {

beast::tcp_stream& lowest(beast::tcp_stream& s) { return s; }
beast::tcp_stream& lowest(beast::ssl_stream<beast::tcp_stream>& s) { return beast::get_lowest_layer(s); }

constexpr bool isTls(const beast::tcp_stream*) { return false; }
constexpr bool isTls(const beast::ssl_stream<beast::tcp_stream>*) { return true; }

BeastResponse toBeast(const Response& r, unsigned version, bool keepAlive, const std::string& serverHeader) {
  BeastResponse res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, serverHeader);
  if (!r.contentType.empty() && r.status != 204) {
    res.set(bhttp::field::content_type, r.contentType);
  }
  res.set("X-Content-Type-Options", "nosniff");
  for (const auto& [k, v] : r.headers) {
    res.set(k, v);
  }
  if (r.headers.find("Cache-Control") == r.headers.end()) {
    res.set(bhttp::field::cache_control, "no-store");
  }
  res.body() = r.body;
  res.keep_alive(keepAlive);
  res.prepare_payload();
  return res;
}

template <typename Stream>
class HttpConnection : public std::enable_shared_from_this<HttpConnection<Stream>> {
 public:
  HttpConnection(std::shared_ptr<Server::Impl> server, Stream stream)
      : server_(std::move(server)), stream_(std::move(stream)) {}

  ~HttpConnection() {
    if (id_ != 0) {
      server_->withdraw(id_);
    }
  }

  void run() {
    std::weak_ptr<HttpConnection> weak = this->shared_from_this();
    auto ex = stream_.get_executor();
    bool overloaded = false;
    id_ = server_->enroll(
        [weak, ex] {
          asio::post(ex, [weak] {
            if (auto self = weak.lock()) {
              self->stopGracefully();
            }
          });
        },
        &overloaded);
    asio::post(ex, [self = this->shared_from_this(), overloaded] {
      if (self->server_->stopping.load()) {
        self->stopGracefully();
      }
      self->begin(overloaded);
    });
  }

 private:
  void begin(bool overloaded) {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      lowest(stream_).expires_after(server_->options.requestTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this(), overloaded](beast::error_code ec) {
                                if (ec) {
                                  self->server_->log->debug("TLS handshake failed. error=\"{}\"", ec.message());
                                  return;
                                }
                                self->afterHandshake(overloaded);
                              });
    } else {
      afterHandshake(overloaded);
    }
  }

  void afterHandshake(bool overloaded) {
    if (overloaded) {
      closeAfter_ = true;
      write(Response::error(503, "overloaded", "too many connections; try again later"), 11, "");
      return;
    }
    readHeader(true);
  }

  void readHeader(bool first) {
    if (stopping_) {
      shutdownStream();
      return;
    }
    reading_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->options.maxHeaderBytes));
    parser_->body_limit(server_->options.maxBodyBytes);
    lowest(stream_).expires_after(first ? server_->options.requestTimeout : server_->options.idleTimeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               self->onHeader(ec);
                             });
  }

  void onHeader(beast::error_code ec) {
    if (ec) {
      onReadError(ec);
      return;
    }
    auto& req = parser_->get();
    if (req[bhttp::field::expect] == "100-continue" && !parser_->is_done()) {
      // Clients such as curl wait for this before sending a large body.
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, req.version());
      lowest(stream_).expires_after(server_->options.writeTimeout);
      bhttp::async_write(stream_, *cont, [self = this->shared_from_this(), cont](beast::error_code wec, std::size_t) {
        if (wec) {
          self->shutdownStream();
          return;
        }
        self->readBody();
      });
      return;
    }
    readBody();
  }

  void readBody() {
    lowest(stream_).expires_after(server_->options.requestTimeout);
    bhttp::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->reading_ = false;
      if (ec) {
        self->onReadError(ec);
        return;
      }
      self->handle();
    });
  }

  void onReadError(beast::error_code ec) {
    reading_ = false;
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof || stopping_) {
      shutdownStream();
      return;
    }
    closeAfter_ = true;
    unsigned version = parser_ ? parser_->get().version() : 11;
    if (version == 0) {
      version = 11;
    }
    if (ec == bhttp::error::body_limit) {
      write(Response::error(413, "payload_too_large",
                            "the request body is larger than " + std::to_string(server_->options.maxBodyBytes) + " bytes"),
            version, "");
    } else if (ec == bhttp::error::header_limit) {
      write(Response::error(431, "headers_too_large",
                            "the request head is larger than " + std::to_string(server_->options.maxHeaderBytes) +
                                " bytes"),
            version, "");
    } else {
      write(Response::error(400, "bad_request", "malformed HTTP request: " + ec.message()), version, "");
    }
  }

  void handle() {
    started_ = std::chrono::steady_clock::now();
    auto& raw = parser_->get();
    Request request;
    request.method = std::string(raw.method_string());
    request.target = std::string(raw.target());
    request.tls = isTls(static_cast<Stream*>(nullptr));
    beast::error_code ignored;
    request.remote = lowest(stream_).socket().remote_endpoint(ignored);
    unsigned version = raw.version();
    keepAlive_ = raw.keep_alive();

    auto target = parseTarget(request.target);
    if (!target) {
      write(Response::error(400, "bad_target", target.error().message), version, request.method);
      return;
    }
    request.path = std::move(target->path);
    request.query = std::move(target->query);
    request.body = std::move(raw.body());
    for (const auto& field : raw) {
      std::string name(field.name_string());
      auto [it, inserted] = request.headers.emplace(name, std::string(field.value()));
      if (!inserted) {
        it->second += ", " + std::string(field.value());
      }
    }

    if (auto wait = server_->limiter.take(request.remote.address().to_string()); wait > 0) {
      auto r = Response::error(429, "rate_limited", "too many requests from this address; retry later");
      r.headers["Retry-After"] = std::to_string(wait);
      write(r, version, request.method);
      return;
    }

    bool upgrade = websocket::is_upgrade(raw);
    auto match = server_->router->match(request.method, target->segments, upgrade);
    switch (match.kind) {
      case Router::Match::Kind::NotFound:
        write(Response::error(404, "not_found", "no route for " + request.method + " " + request.path), version,
              request.method);
        return;
      case Router::Match::Kind::MethodNotAllowed: {
        auto r = Response::error(405, "method_not_allowed", request.method + " is not allowed on " + request.path);
        r.headers["Allow"] = match.allow;
        write(r, version, request.method);
        return;
      }
      case Router::Match::Kind::UpgradeRequired: {
        auto r = Response::error(426, "upgrade_required", request.path + " is a WebSocket endpoint");
        r.headers["Upgrade"] = "websocket";
        write(r, version, request.method);
        return;
      }
      case Router::Match::Kind::Found:
        break;
    }
    request.params = std::move(match.params);
    route_ = std::move(match.pattern);

    if (match.websocket != nullptr) {
      std::variant<Response, WebSocketOpen> decision;
      try {
        decision = (*match.websocket)(request);
      } catch (const std::exception& e) {
        server_->log->error("WebSocket handler threw. path={} error=\"{}\"", request.path, e.what());
        decision = Response::error(500, "internal", "internal error");
      }
      if (auto* refusal = std::get_if<Response>(&decision)) {
        write(*refusal, version, request.method);
        return;
      }
      upgradeTo(std::move(std::get<WebSocketOpen>(decision)), request.method);
      return;
    }

    auto ex = stream_.get_executor();
    std::weak_ptr<HttpConnection> weak = this->shared_from_this();
    Responder respond([weak, ex, version, method = request.method](Response r) {
      asio::post(ex, [weak, r = std::move(r), version, method]() mutable {
        if (auto self = weak.lock()) {
          self->write(r, version, method);
        }
      });
    });
    // Holding a reference while the handler works keeps the connection alive until it answers.
    pending_ = this->shared_from_this();
    try {
      (*match.handler)(std::move(request), respond);
    } catch (const std::exception& e) {
      server_->log->error("HTTP handler threw. error=\"{}\"", e.what());
      respond(Response::error(500, "internal", "internal error"));
    }
  }

  void upgradeTo(WebSocketOpen onOpen, const std::string& method) {
    auto req = parser_->release();
    auto finishUpgrade = [server = server_, onOpen = std::move(onOpen), method, started = started_,
                          route = route_](auto conn, BeastRequest request) {
      auto& stream = conn->stream();
      stream.set_option(detail::wsTimeouts(server->options.websocket));
      stream.set_option(websocket::stream_base::decorator([h = server->options.serverHeader](websocket::response_type& res) {
        res.set(bhttp::field::server, h);
      }));
      auto reqPtr = std::make_shared<BeastRequest>(std::move(request));
      stream.async_accept(*reqPtr, [server, conn, reqPtr, onOpen, method, started, route](beast::error_code ec) {
        server->countRequest(method, route, ec ? 400 : 101,
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        if (ec) {
          server->log->debug("WebSocket upgrade failed. error=\"{}\"", ec.message());
          return;
        }
        bool overloaded = false;
        std::weak_ptr<WebSocket> weak = conn;
        auto id = server->enroll(
            [weak] {
              if (auto socket = weak.lock()) {
                socket->close(1001, "server stopping");
              }
            },
            &overloaded);
        // The registry entry goes when the socket closes, whoever closes it.
        conn->setFinishedHook([server, id] { server->withdraw(id); });
        if (server->stopping.load()) {
          conn->close(1001, "server stopping");
        }
        onOpen(conn);
      });
    };
    lowest(stream_).expires_never();  // the WebSocket stream keeps its own timeouts
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      auto conn = std::make_shared<detail::WebSocketConnection<detail::PlainWsStream>>(
          detail::PlainWsStream(std::move(stream_)), server_->options.websocket);
      finishUpgrade(conn, std::move(req));
    } else {
      auto conn = std::make_shared<detail::WebSocketConnection<detail::TlsWsStream>>(
          detail::TlsWsStream(std::move(stream_)), server_->options.websocket);
      finishUpgrade(conn, std::move(req));
    }
  }

  void write(const Response& r, unsigned version, const std::string& method) {
    pending_.reset();
    bool keep = keepAlive_ && !closeAfter_ && !stopping_ && !server_->stopping.load();
    if (!method.empty()) {
      server_->countRequest(method, route_.empty() ? "unmatched" : route_, r.status,
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count());
    }
    response_ = std::make_shared<BeastResponse>(toBeast(r, version, keep, server_->options.serverHeader));
    lowest(stream_).expires_after(server_->options.writeTimeout);
    bhttp::async_write(stream_, *response_, [self = this->shared_from_this(), keep](beast::error_code ec, std::size_t) {
      self->response_.reset();
      if (ec || !keep) {
        self->shutdownStream();
        return;
      }
      self->readHeader(false);
    });
  }

  void stopGracefully() {
    stopping_ = true;
    if (reading_) {
      // Idle between requests (or mid-request): nothing is owed to this client.
      beast::error_code ignored;
      lowest(stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      lowest(stream_).cancel();
    }
  }

  void shutdownStream() {
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      if (!shutdownStarted_ && lowest(stream_).socket().is_open()) {
        shutdownStarted_ = true;
        lowest(stream_).expires_after(std::chrono::seconds(2));
        stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
          beast::error_code ignored;
          lowest(self->stream_).socket().close(ignored);
        });
        return;
      }
    }
    lowest(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest(stream_).socket().close(ec);
  }

  std::shared_ptr<Server::Impl> server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<BeastResponse> response_;
  std::shared_ptr<HttpConnection> pending_;
  std::chrono::steady_clock::time_point started_;
  std::string route_;
  std::uint64_t id_ = 0;
  bool keepAlive_ = true;
  bool closeAfter_ = false;
  bool stopping_ = false;
  bool reading_ = false;
  bool shutdownStarted_ = false;
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept(asio::make_strand(executor), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || self->stopping.load()) {
        return;
      }
      // Out of descriptors and the like: log, breathe, keep accepting.
      self->log->warn("accept failed. error=\"{}\"", ec.message());
    } else if (self->options.tls) {
      std::make_shared<HttpConnection<beast::ssl_stream<beast::tcp_stream>>>(
          self, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *self->options.tls))
          ->run();
    } else {
      std::make_shared<HttpConnection<beast::tcp_stream>>(self, beast::tcp_stream(std::move(socket)))->run();
    }
    if (!self->stopping.load()) {
      self->accept();
    }
  });
}

sdk::Result<std::shared_ptr<Server>> Server::start(const asio::any_io_executor& executor, ServerOptions options,
                                                  std::shared_ptr<const Router> router) {
  beast::error_code ec;
  auto address = asio::ip::make_address(options.address, ec);
  if (ec) {
    return sdk::Error::permanent("http.listen", "not an IP address: \"" + options.address + "\"");
  }
  auto impl = std::make_shared<Impl>(executor, std::move(options), std::move(router));
  tcp::endpoint endpoint(address, impl->options.port);
  std::string where = impl->options.address + ":" + std::to_string(impl->options.port);
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
    return sdk::Error::permanent("http.listen", "cannot listen on " + where + ": " + ec.message());
  }
  impl->boundPort = impl->acceptor.local_endpoint().port();
  asio::post(impl->strand, [impl] { impl->accept(); });
  return std::shared_ptr<Server>(new Server(impl));
}

Server::Server(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

std::uint16_t Server::port() const { return impl_->boundPort; }

std::string Server::baseUrl() const {
  std::string host = impl_->options.address;
  if (host == "0.0.0.0") {
    host = "127.0.0.1";
  } else if (host == "::") {
    host = "::1";
  }
  if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";
  }
  return std::string(impl_->options.tls ? "https" : "http") + "://" + host + ":" + std::to_string(impl_->boundPort);
}

void Server::stop() {
  if (impl_->stopping.exchange(true)) {
    return;
  }
  asio::post(impl_->strand, [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  std::vector<std::function<void()>> calls;
  {
    std::lock_guard lock(impl_->mutex);
    for (const auto& [id, call] : impl_->live) {
      calls.push_back(call);
    }
  }
  for (auto& call : calls) {
    call();
  }
}

std::size_t Server::connections() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->live.size();
}

}  // namespace switchboard::http
