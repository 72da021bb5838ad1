#include "http/client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "http/url.hpp"
#include "http/websocket_impl.hpp"

namespace switchboard::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Clock = std::chrono::steady_clock;

std::string ClientResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

beast::tcp_stream& lowest(beast::tcp_stream& s) { return s; }
beast::tcp_stream& lowest(TlsStream& s) { return beast::get_lowest_layer(s); }

sdk::Error ioError(const std::string& what, const Url& url, const beast::error_code& ec) {
  std::string where = url.scheme + "://" + url.hostHeader();
  if (ec == beast::error::timeout) {
    return sdk::Error::retriable("http.timeout", what + " " + where + ": the deadline passed");
  }
  return sdk::Error::retriable(what == "connecting to" ? "http.connect" : "http.io",
                               what + " " + where + ": " + ec.message());
}

// Resolve, connect and (for TLS) handshake with host-name verification, all within one deadline.
template <typename Stream>
class Dial : public std::enable_shared_from_this<Dial<Stream>> {
 public:
  using Done = std::function<void(sdk::Status)>;

  Dial(asio::strand<asio::any_io_executor> strand, Url url, Clock::time_point deadline, TlsContextPtr tls)
      : resolver_(strand), stream_(makeStream(strand, tls)), url_(std::move(url)), deadline_(deadline) {}

  Stream& stream() { return stream_; }
  const Url& url() const { return url_; }

  // The callback usually owns this Dial (through its operation): dropping it after the one call
  // breaks that cycle.
  void complete(sdk::Status status) {
    if (auto done = std::move(done_)) {
      done_ = nullptr;
      done(std::move(status));
    }
  }
  Clock::time_point deadline() const { return deadline_; }

  void run(Done done) {
    done_ = std::move(done);
    // The resolver has no deadline of its own: a timer cancels it.
    timer_.emplace(resolver_.get_executor());
    timer_->expires_at(deadline_);
    timer_->async_wait([weak = std::weak_ptr<Dial>(this->shared_from_this())](beast::error_code ec) {
      if (auto self = weak.lock(); self && !ec && !self->resolved_) {
        self->timedOut_ = true;
        self->resolver_.cancel();
      }
    });
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [self = this->shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                              self->resolved_ = true;
                              self->timer_->cancel();
                              if (ec) {
                                self->complete(self->timedOut_ ? ioError("connecting to", self->url_, beast::error::timeout)
                                                            : ioError("connecting to", self->url_, ec));
                                return;
                              }
                              self->connect(results);
                            });
  }

 private:
  static Stream makeStream(asio::strand<asio::any_io_executor> strand, const TlsContextPtr& tls) {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      return TlsStream(beast::tcp_stream(strand), *tls);
    } else {
      return beast::tcp_stream(strand);
    }
  }

  void connect(const tcp::resolver::results_type& results) {
    lowest(stream_).expires_at(deadline_);
    lowest(stream_).async_connect(results, [self = this->shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
      if (ec) {
        self->complete(ioError("connecting to", self->url_, ec));
        return;
      }
      self->handshake();
    });
  }

  void handshake() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      SSL* ssl = stream_.native_handle();
      beast::error_code ec;
      auto ip = asio::ip::make_address(url_.host, ec);
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      if (!ec) {
        X509_VERIFY_PARAM_set1_ip_asc(param, url_.host.c_str());
      } else {
        // SNI for virtual hosting, and the name the certificate must carry.
        SSL_set_tlsext_host_name(ssl, url_.host.c_str());
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        X509_VERIFY_PARAM_set1_host(param, url_.host.c_str(), 0);
      }
      (void)ip;
      stream_.async_handshake(asio::ssl::stream_base::client, [self = this->shared_from_this()](beast::error_code hec) {
        if (hec) {
          if (hec == beast::error::timeout) {
            self->complete(ioError("TLS handshake with", self->url_, hec));
            return;
          }
          std::string detail = hec.message();
          long verify = SSL_get_verify_result(self->stream_.native_handle());
          if (verify != X509_V_OK) {
            detail = std::string("certificate verification failed: ") + X509_verify_cert_error_string(verify);
          }
          self->complete(sdk::Error::permanent("http.tls", "TLS handshake with " + self->url_.hostHeader() + " failed: " + detail));
          return;
        }
        self->complete(sdk::okStatus());
      });
    } else {
      complete(sdk::okStatus());
    }
  }

  tcp::resolver resolver_;
  Stream stream_;
  Url url_;
  Clock::time_point deadline_;
  std::optional<asio::steady_timer> timer_;
  Done done_;
  bool resolved_ = false;
  bool timedOut_ = false;
};

template <typename Stream>
class Exchange : public std::enable_shared_from_this<Exchange<Stream>> {
 public:
  Exchange(std::shared_ptr<Dial<Stream>> dial, ClientRequest request, const ClientOptions& options,
           Client::ResponseHandler done)
      : dial_(std::move(dial)), request_(std::move(request)), maxBytes_(options.maxResponseBytes),
        userAgent_(options.userAgent), done_(std::move(done)) {}

  void run() {
    dial_->run([self = this->shared_from_this()](sdk::Status status) {
      if (!status) {
        self->finish(status.takeError());
        return;
      }
      self->write();
    });
  }

 private:
  void write() {
    const auto& url = dial_->url();
    auto verb = bhttp::string_to_verb(request_.method);
    if (verb == bhttp::verb::unknown) {
      finish(sdk::Error::permanent("http.request", "unknown HTTP method " + request_.method));
      return;
    }
    req_.method(verb);
    req_.target(url.target);
    req_.version(11);
    req_.set(bhttp::field::host, url.hostHeader());
    req_.set(bhttp::field::user_agent, userAgent_);
    for (const auto& [k, v] : request_.headers) {
      req_.set(k, v);
    }
    req_.body() = request_.body;
    req_.keep_alive(false);
    req_.prepare_payload();
    lowest(dial_->stream()).expires_at(dial_->deadline());
    bhttp::async_write(dial_->stream(), req_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->finish(ioError("sending to", self->dial_->url(), ec));
        return;
      }
      self->read();
    });
  }

  void read() {
    parser_.body_limit(maxBytes_);
    parser_.header_limit(64 * 1024);
    // The head first: Beast 1.74's http::read parses eagerly, and in that mode a Content-Length over
    // the body limit is not reported, so the limit is checked here before any body is read.
    bhttp::async_read_header(dial_->stream(), buffer_, parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) {
        auto length = self->parser_.content_length();
        if (length && *length > self->maxBytes_) {
          ec = bhttp::error::body_limit;
        }
      }
      if (ec) {
        self->onReadError(ec);
        return;
      }
      if (self->parser_.is_done()) {
        self->complete();
        return;
      }
      bhttp::async_read(self->dial_->stream(), self->buffer_, self->parser_,
                        [self](beast::error_code bec, std::size_t) {
                          if (bec) {
                            self->onReadError(bec);
                            return;
                          }
                          self->complete();
                        });
    });
  }

  void onReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      finish(sdk::Error::permanent("http.response", "the response from " + dial_->url().hostHeader() +
                                                        " is larger than " + std::to_string(maxBytes_) + " bytes"));
      return;
    }
    if (ec == bhttp::error::end_of_stream) {
      finish(sdk::Error::retriable("http.io", dial_->url().hostHeader() + " closed the connection without a response"));
      return;
    }
    bool malformed = ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category();
    finish(malformed ? sdk::Error::permanent("http.response",
                                             "malformed response from " + dial_->url().hostHeader() + ": " + ec.message())
                     : ioError("reading from", dial_->url(), ec));
  }

  void complete() {
    auto& res = parser_.get();
    ClientResponse out;
    out.status = res.result_int();
    for (const auto& f : res) {
      auto [it, inserted] = out.headers.emplace(std::string(f.name_string()), std::string(f.value()));
      if (!inserted) {
        it->second += ", " + std::string(f.value());
      }
    }
    out.body = std::move(res.body());
    closeQuietly();
    finish(std::move(out));
  }

  void closeQuietly() {
    beast::error_code ignored;
    lowest(dial_->stream()).socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest(dial_->stream()).socket().close(ignored);
  }

  void finish(sdk::Result<ClientResponse> result) {
    if (auto done = std::move(done_)) {
      done_ = nullptr;
      done(std::move(result));
    }
  }

  std::shared_ptr<Dial<Stream>> dial_;
  ClientRequest request_;
  std::size_t maxBytes_;
  std::string userAgent_;
  Client::ResponseHandler done_;
  bhttp::request<bhttp::string_body> req_;
  beast::flat_buffer buffer_;
  bhttp::response_parser<bhttp::string_body> parser_;
};

template <typename Stream, typename WsStream>
void openWebSocket(std::shared_ptr<Dial<Stream>> dial, Headers headers, WebSocketOptions options,
                   Client::WebSocketHandler done) {
  dial->run([dial, headers = std::move(headers), options, done = std::move(done)](sdk::Status status) mutable {
    if (!status) {
      done(status.takeError());
      return;
    }
    lowest(dial->stream()).expires_never();
    auto conn = std::make_shared<detail::WebSocketConnection<WsStream>>(WsStream(std::move(dial->stream())), options);
    auto& ws = conn->stream();
    auto timeouts = detail::wsTimeouts(options);
    // The handshake must finish by the dial's deadline, not a fresh one.
    auto left = std::chrono::duration_cast<std::chrono::seconds>(dial->deadline() - Clock::now());
    timeouts.handshake_timeout = std::max(left, std::chrono::seconds(1));
    ws.set_option(timeouts);
    ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
      for (const auto& [k, v] : headers) {
        req.set(k, v);
      }
    }));
    auto res = std::make_shared<websocket::response_type>();
    const auto& url = dial->url();
    ws.async_handshake(*res, url.hostHeader(), url.target,
                       [conn, res, dial, done = std::move(done)](beast::error_code ec) {
                         if (ec) {
                           if (ec == websocket::error::upgrade_declined) {
                             done(sdk::Error::permanent("http.websocket",
                                                        "the server declined the WebSocket upgrade with status " +
                                                            std::to_string(res->result_int()) + ": " + res->body()));
                           } else {
                             done(ioError("WebSocket handshake with", dial->url(), ec));
                           }
                           return;
                         }
                         done(WebSocketPtr(conn));
                       });
  });
}

}  // namespace

Client::Client(asio::any_io_executor executor, ClientOptions options, TlsContextPtr tls)
    : executor_(std::move(executor)), options_(std::move(options)), tls_(std::move(tls)) {}

sdk::Result<std::shared_ptr<Client>> Client::create(const asio::any_io_executor& executor, ClientOptions options) {
  TlsContextPtr tls = options.tlsContext;
  const bool systemStore = options.tls.verify && options.tls.caFile.empty() && options.tls.caPem.empty();
  if (!tls && !systemStore) {
    auto made = clientTls(options.tls);
    if (!made) {
      return made.takeError();
    }
    tls = std::move(made).value();
  }
  return std::shared_ptr<Client>(new Client(executor, std::move(options), std::move(tls)));
}

sdk::Result<TlsContextPtr> Client::tls() {
  std::lock_guard lock(tlsMutex_);
  if (!tls_) {
    auto made = clientTls(options_.tls);
    if (!made) {
      return made.takeError();
    }
    tls_ = std::move(made).value();
  }
  return tls_;
}

void Client::request(ClientRequest request, ResponseHandler done) {
  auto strand = asio::make_strand(executor_);
  auto url = parseUrl(request.url);
  if (!url || (url->scheme != "http" && url->scheme != "https")) {
    auto error = url ? sdk::Error::permanent("http.url", "not an http:// or https:// URL: " + request.url) : url.takeError();
    asio::post(strand, [done = std::move(done), error = std::move(error)] { done(error); });
    return;
  }
  auto deadline = Clock::now() + (request.timeout.count() > 0 ? request.timeout : options_.timeout);
  if (url->tls()) {
    auto ctx = tls();
    if (!ctx) {
      asio::post(strand, [done = std::move(done), error = ctx.takeError()] { done(error); });
      return;
    }
    auto dial = std::make_shared<Dial<TlsStream>>(strand, std::move(url).value(), deadline, ctx.value());
    std::make_shared<Exchange<TlsStream>>(dial, std::move(request), options_, std::move(done))->run();
  } else {
    auto dial = std::make_shared<Dial<beast::tcp_stream>>(strand, std::move(url).value(), deadline, nullptr);
    std::make_shared<Exchange<beast::tcp_stream>>(dial, std::move(request), options_, std::move(done))->run();
  }
}

void Client::connectWebSocket(const std::string& urlText, Headers headers, WebSocketHandler done,
                              WebSocketOptions wsOptions) {
  auto strand = asio::make_strand(executor_);
  auto url = parseUrl(urlText);
  if (!url) {
    asio::post(strand, [done = std::move(done), error = url.takeError()] { done(error); });
    return;
  }
  auto deadline = Clock::now() + options_.timeout;
  if (url->tls()) {
    auto ctx = tls();
    if (!ctx) {
      asio::post(strand, [done = std::move(done), error = ctx.takeError()] { done(error); });
      return;
    }
    auto dial = std::make_shared<Dial<TlsStream>>(strand, std::move(url).value(), deadline, ctx.value());
    openWebSocket<TlsStream, detail::TlsWsStream>(dial, std::move(headers), wsOptions, std::move(done));
  } else {
    auto dial = std::make_shared<Dial<beast::tcp_stream>>(strand, std::move(url).value(), deadline, nullptr);
    openWebSocket<beast::tcp_stream, detail::PlainWsStream>(dial, std::move(headers), wsOptions, std::move(done));
  }
}

sdk::Result<ClientResponse> fetch(const ClientOptions& options, ClientRequest request) {
  asio::io_context io;
  auto client = Client::create(io.get_executor(), options);
  if (!client) {
    return client.takeError();
  }
  std::optional<sdk::Result<ClientResponse>> out;
  (*client)->request(std::move(request), [&out](sdk::Result<ClientResponse> r) { out.emplace(std::move(r)); });
  io.run();
  if (!out) {
    return sdk::Error::permanent("http.io", "the request ended without a result");
  }
  return std::move(*out);
}

}  // namespace switchboard::http
