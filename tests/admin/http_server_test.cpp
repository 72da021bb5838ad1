// sb_http's server and client against each other on loopback: plain and TLS (a CA generated for the
// test), routing, JSON errors, size and rate limits, keep-alive, timeouts, WebSocket, graceful stop.

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/client.hpp"
#include "http/server.hpp"

namespace sbh = switchboard::http;
namespace asio = boost::asio;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

class Loop {
 public:
  Loop() : guard_(io_.get_executor()) {
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
  }
  ~Loop() {
    guard_.reset();
    for (auto& t : threads_) {
      t.join();
    }
  }
  asio::any_io_executor executor() { return io_.get_executor(); }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

std::atomic<bool> gateEntered{false};

std::shared_ptr<sbh::Router> sampleRouter() {
  auto r = std::make_shared<sbh::Router>();
  r->add("GET", "/v1/items/{id}", [](const sbh::Request& req) {
    return sbh::Response::json(200, {{"id", req.param("id")}, {"q", req.queryValue("q").value_or("")}});
  });
  r->add("POST", "/v1/echo", [](const sbh::Request& req) {
    auto body = req.jsonBody();
    if (!body) {
      return sbh::Response::fromError(body.error());
    }
    return sbh::Response::json(200, {{"got", *body}, {"auth", req.header("authorization")}});
  });
  r->addAsync("GET", "/v1/later", [](sbh::Request, sbh::Responder respond) {
    std::thread([respond] {
      std::this_thread::sleep_for(50ms);
      respond(sbh::Response::text(200, "later"));
    }).detach();
  });
  r->addAsync("GET", "/v1/gate", [](sbh::Request, sbh::Responder respond) {
    gateEntered = true;
    std::thread([respond] {
      std::this_thread::sleep_for(300ms);
      respond(sbh::Response::text(200, "through"));
    }).detach();
  });
  r->addAsync("GET", "/v1/forgotten", [](sbh::Request, sbh::Responder) {});
  r->add("GET", "/v1/big", [](const sbh::Request&) { return sbh::Response::text(200, std::string(200000, 'x')); });
  r->add("GET", "/v1/throws", [](const sbh::Request&) -> sbh::Response { throw std::runtime_error("boom"); });
  r->addWebSocket("/v1/ws", [](const sbh::Request& req) -> std::variant<sbh::Response, sbh::WebSocketOpen> {
    if (req.header("authorization") != "Bearer ok") {
      return sbh::Response::error(401, "unauthenticated", "no token");
    }
    return sbh::WebSocketOpen([](sbh::WebSocketPtr ws) {
      std::weak_ptr<sbh::WebSocket> weak = ws;
      ws->start([weak](std::string m, bool) {
        if (auto self = weak.lock()) {
          self->send("echo:" + m);
        }
      },
                [](switchboard::sdk::Status) {});
      ws->send("hello");
    });
  });
  return r;
}

sbh::ClientOptions plainClient() {
  sbh::ClientOptions o;
  o.timeout = 5s;
  return o;
}

// Sends raw bytes and reads until the server closes or `until` appears; for what the client cannot send.
std::string rawExchange(std::uint16_t port, const std::string& bytes, const std::string& until = "") {
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(s, asio::buffer(bytes));
  std::string out;
  char buf[4096];
  boost::system::error_code ec;
  while (true) {
    auto n = s.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec || (!until.empty() && out.find(until) != std::string::npos)) {
      break;
    }
  }
  return out;
}

struct HttpServer : ::testing::Test {
  Loop loop;
  std::shared_ptr<sbh::Server> server;

  void startServer(sbh::ServerOptions options = {}) {
    auto started = sbh::Server::start(loop.executor(), std::move(options), sampleRouter());
    ASSERT_TRUE(started.ok()) << started.error().describe();
    server = *started;
  }
  void TearDown() override {
    if (server) {
      server->stop();
    }
  }
  sbh::ClientResponse get(const std::string& path, sbh::ClientOptions o = plainClient()) {
    auto r = sbh::fetch(o, {"GET", server->baseUrl() + path, {}, "", 0ms});
    EXPECT_TRUE(r.ok()) << r.error().describe();
    return r.ok() ? *r : sbh::ClientResponse{};
  }
};

}  // namespace

TEST_F(HttpServer, RoutesWithParamsAndJsonErrors) {
  startServer();
  auto r = get("/v1/items/a%2Fb?q=x+y");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body), (json{{"id", "a/b"}, {"q", "x y"}}));
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("x-content-type-options"), "nosniff");

  r = get("/v1/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "not_found");

  auto del = sbh::fetch(plainClient(), {"DELETE", server->baseUrl() + "/v1/items/1", {}, "", 0ms});
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 405);
  EXPECT_EQ(del->header("allow"), "GET");
  EXPECT_EQ(json::parse(del->body)["error"]["code"], "method_not_allowed");

  auto bad = sbh::fetch(plainClient(), {"POST", server->baseUrl() + "/v1/echo", {}, "{not json", 0ms});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(json::parse(bad->body)["error"]["code"], "bad_json");

  // A number beyond a double's range is nlohmann's out_of_range, not a parse_error: still a 400.
  auto huge = sbh::fetch(plainClient(), {"POST", server->baseUrl() + "/v1/echo", {}, "44E4404", 0ms});
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(huge->status, 400);
  EXPECT_EQ(json::parse(huge->body)["error"]["code"], "bad_json");

  auto ok = sbh::fetch(plainClient(),
                       {"POST", server->baseUrl() + "/v1/echo", {{"Authorization", "Bearer t"}}, R"({"a":[1,2]})", 0ms});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(json::parse(ok->body), (json{{"got", {{"a", {1, 2}}}}, {"auth", "Bearer t"}}));

  EXPECT_EQ(get("/v1/later").body, "later");
  r = get("/v1/forgotten");
  EXPECT_EQ(r.status, 500);
  r = get("/v1/throws");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "internal");
  r = get("/v1/ws");
  EXPECT_EQ(r.status, 426);
}

TEST_F(HttpServer, SizeLimitsAndMalformedRequests) {
  sbh::ServerOptions o;
  o.maxBodyBytes = 1000;
  o.maxHeaderBytes = 2000;
  startServer(o);
  auto big = sbh::fetch(plainClient(), {"POST", server->baseUrl() + "/v1/echo", {}, std::string(1001, ' '), 0ms});
  ASSERT_TRUE(big.ok()) << big.error().describe();
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(json::parse(big->body)["error"]["code"], "payload_too_large");

  auto fits = sbh::fetch(plainClient(), {"POST", server->baseUrl() + "/v1/echo", {}, "[" + std::string(990, ' ') + "]", 0ms});
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->status, 200);

  auto headers = sbh::fetch(plainClient(), {"GET", server->baseUrl() + "/v1/items/1", {{"X-Big", std::string(3000, 'h')}}, "", 0ms});
  ASSERT_TRUE(headers.ok());
  EXPECT_EQ(headers->status, 431);

  // A chunked body has no Content-Length to check up front: the limit applies as chunks arrive.
  auto chunked = rawExchange(server->port(), "POST /v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                             "7D0\r\n" + std::string(2000, ' ') + "\r\n0\r\n\r\n");
  EXPECT_NE(chunked.find("413 Payload Too Large"), std::string::npos) << chunked;

  auto garbage = rawExchange(server->port(), "BLAH\r\n\r\n");
  EXPECT_NE(garbage.find("400 Bad Request"), std::string::npos) << garbage;
  EXPECT_NE(garbage.find("bad_request"), std::string::npos);

  auto dots = rawExchange(server->port(), "GET /v1/items/%2e%2e HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(dots.find("400 Bad Request"), std::string::npos) << dots;

  // curl's Expect: 100-continue gets its interim response, then the final one.
  auto cont = rawExchange(server->port(),
                          "POST /v1/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n"
                          "Connection: close\r\n\r\n{}");
  EXPECT_NE(cont.find("100 Continue"), std::string::npos) << cont;
  EXPECT_NE(cont.find("200 OK"), std::string::npos) << cont;
}

TEST_F(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  startServer();
  std::string two =
      "GET /v1/items/1 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /v1/items/2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto out = rawExchange(server->port(), two);
  EXPECT_NE(out.find(R"("id":"1")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("id":"2")"), std::string::npos) << out;
}

TEST_F(HttpServer, IdleConnectionsAreClosed) {
  sbh::ServerOptions o;
  o.requestTimeout = 300ms;
  startServer(o);
  auto start = std::chrono::steady_clock::now();
  auto out = rawExchange(server->port(), "GET /v1/items/1 HTTP/1.1\r\n");  // never completed
  EXPECT_TRUE(out.empty()) << out;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(HttpServer, RateLimitPerClientAddress) {
  sbh::ServerOptions o;
  o.rateLimit = {1.0, 3.0};
  startServer(o);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(get("/v1/items/1").status, 200);
  }
  auto r = get("/v1/items/1");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "rate_limited");
  EXPECT_EQ(r.header("retry-after"), "1");
}

TEST_F(HttpServer, ConnectionLimitAnswers503) {
  sbh::ServerOptions o;
  o.maxConnections = 1;
  startServer(o);
  asio::io_context io;
  asio::ip::tcp::socket holder(io);
  holder.connect({asio::ip::make_address("127.0.0.1"), server->port()});
  for (int i = 0; i < 100 && server->connections() < 1; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  auto r = get("/v1/items/1");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "overloaded");
}

TEST_F(HttpServer, ClientErrorsAreValues) {
  startServer();
  auto port = server->port();
  auto small = plainClient();
  small.maxResponseBytes = 1000;
  auto tooBig = sbh::fetch(small, {"GET", server->baseUrl() + "/v1/big", {}, "", 0ms});
  ASSERT_FALSE(tooBig.ok()) << tooBig->status << " " << tooBig->body.size();
  EXPECT_NE(tooBig.error().message.find("larger than 1000 bytes"), std::string::npos);
  EXPECT_EQ(tooBig.error().code, "http.response");

  auto slow = sbh::fetch(plainClient(), {"GET", server->baseUrl() + "/v1/later", {}, "", 10ms});
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().code, "http.timeout");
  EXPECT_TRUE(slow.error().isRetriable());

  server->stop();
  server.reset();
  std::this_thread::sleep_for(50ms);
  auto refused = sbh::fetch(plainClient(), {"GET", "http://127.0.0.1:" + std::to_string(port) + "/", {}, "", 0ms});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "http.connect");

  auto badUrl = sbh::fetch(plainClient(), {"GET", "gopher://x/", {}, "", 0ms});
  ASSERT_FALSE(badUrl.ok());
  EXPECT_EQ(badUrl.error().code, "http.url");
}

TEST_F(HttpServer, GracefulStopFinishesTheRequestInProgress) {
  startServer();
  auto url = server->baseUrl() + "/v1/gate";
  gateEntered = false;
  auto pending = std::async(std::launch::async, [url] { return sbh::fetch(plainClient(), {"GET", url, {}, "", 0ms}); });
  for (int i = 0; i < 500 && !gateEntered; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_TRUE(gateEntered);
  server->stop();
  auto r = pending.get();
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->body, "through");
  EXPECT_EQ(r->header("connection"), "close");
  for (int i = 0; i < 200 && server->connections() > 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(server->connections(), 0U);
  auto after = sbh::fetch(plainClient(), {"GET", url, {}, "", 0ms});
  ASSERT_FALSE(after.ok());
}

namespace {

struct TlsSetup {
  sbh::PemIdentity ca;
  sbh::PemIdentity leaf;
  TlsSetup(std::vector<std::string> dns = {"localhost"}, std::vector<std::string> ips = {"127.0.0.1"}) {
    auto c = sbh::generateCa("Switchboard test CA");
    EXPECT_TRUE(c.ok());
    ca = *c;
    auto l = sbh::issueServerCertificate(ca, "switchboard test server", dns, ips);
    EXPECT_TRUE(l.ok());
    leaf = *l;
  }
};

}  // namespace

TEST_F(HttpServer, TlsWithAGeneratedCa) {
  TlsSetup pki;
  sbh::ServerOptions o;
  auto tls = sbh::serverTlsFromPem(pki.leaf.certPem, pki.leaf.keyPem);
  ASSERT_TRUE(tls.ok()) << tls.error().describe();
  o.tls = *tls;
  startServer(o);
  EXPECT_EQ(server->baseUrl().rfind("https://127.0.0.1:", 0), 0U);

  auto trusting = plainClient();
  trusting.tls.caPem = pki.ca.certPem;
  auto r = get("/v1/items/7", trusting);
  EXPECT_EQ(r.status, 200);

  // By name too: the certificate carries localhost.
  auto byName = sbh::fetch(trusting, {"GET", "https://localhost:" + std::to_string(server->port()) + "/v1/items/8", {}, "", 0ms});
  ASSERT_TRUE(byName.ok()) << byName.error().describe();

  // Verification is on by default: the system store does not know this CA.
  auto untrusting = sbh::fetch(plainClient(), {"GET", server->baseUrl() + "/v1/items/7", {}, "", 0ms});
  ASSERT_FALSE(untrusting.ok());
  EXPECT_EQ(untrusting.error().code, "http.tls");
  EXPECT_NE(untrusting.error().message.find("certificate verification failed"), std::string::npos)
      << untrusting.error().message;

  // Plain HTTP to a TLS port is refused by the handshake, not answered.
  auto plain = sbh::fetch(plainClient(), {"GET", "http://127.0.0.1:" + std::to_string(server->port()) + "/", {}, "", 1s});
  ASSERT_FALSE(plain.ok()) << plain->status << " " << plain->body;
  EXPECT_EQ(plain.error().code, "http.io");

  // A CA file on disk works the same way.
  auto path = std::string(::testing::TempDir()) + "/sb_http_ca.pem";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(pki.ca.certPem.c_str(), f);
    std::fclose(f);
  }
  auto fromFile = plainClient();
  fromFile.tls.caFile = path;
  EXPECT_EQ(get("/v1/items/9", fromFile).status, 200);
  auto missing = plainClient();
  missing.tls.caFile = path + ".missing";
  auto bad = sbh::fetch(missing, {"GET", server->baseUrl() + "/", {}, "", 0ms});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "http.tls");
}

TEST_F(HttpServer, TlsRefusesACertificateForAnotherName) {
  TlsSetup pki({"other.example"}, {});
  sbh::ServerOptions o;
  o.tls = *sbh::serverTlsFromPem(pki.leaf.certPem, pki.leaf.keyPem);
  startServer(o);
  auto trusting = plainClient();
  trusting.tls.caPem = pki.ca.certPem;
  auto r = sbh::fetch(trusting, {"GET", server->baseUrl() + "/v1/items/1", {}, "", 0ms});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "http.tls");
  EXPECT_NE(r.error().message.find("mismatch"), std::string::npos) << r.error().message;

  auto lax = trusting;
  lax.tls.verify = false;
  EXPECT_EQ(get("/v1/items/1", lax).status, 200);
}

TEST_F(HttpServer, ServerTlsFromFilesReportsBadPaths) {
  auto r = sbh::serverTlsFromFiles("/nonexistent/cert.pem", "/nonexistent/key.pem");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "http.tls");
  EXPECT_NE(r.error().message.find("/nonexistent/cert.pem"), std::string::npos);
  TlsSetup a;
  TlsSetup b;
  auto mismatched = sbh::serverTlsFromPem(a.leaf.certPem, b.leaf.keyPem);
  EXPECT_FALSE(mismatched.ok());
}

namespace {

struct WsProbe {
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::string> messages;
  std::optional<bool> closedCleanly;

  void add(std::string s) {
    std::lock_guard l(m);
    messages.push_back(std::move(s));
    cv.notify_all();
  }
  bool waitFor(std::size_t n) {
    std::unique_lock l(m);
    return cv.wait_for(l, 5s, [&] { return messages.size() >= n; });
  }
  bool waitClosed() {
    std::unique_lock l(m);
    return cv.wait_for(l, 5s, [&] { return closedCleanly.has_value(); });
  }
};

}  // namespace

TEST_F(HttpServer, WebSocketOverTls) {
  TlsSetup pki;
  sbh::ServerOptions o;
  o.tls = *sbh::serverTlsFromPem(pki.leaf.certPem, pki.leaf.keyPem);
  startServer(o);
  auto opts = plainClient();
  opts.tls.caPem = pki.ca.certPem;
  auto client = sbh::Client::create(loop.executor(), opts);
  ASSERT_TRUE(client.ok());

  std::promise<switchboard::sdk::Result<sbh::WebSocketPtr>> refused;
  (*client)->connectWebSocket(server->baseUrl() + "/v1/ws", {}, [&](auto r) { refused.set_value(std::move(r)); });
  auto no = refused.get_future().get();
  ASSERT_FALSE(no.ok());
  EXPECT_NE(no.error().message.find("401"), std::string::npos) << no.error().message;

  std::promise<switchboard::sdk::Result<sbh::WebSocketPtr>> opened;
  (*client)->connectWebSocket(server->baseUrl() + "/v1/ws", {{"Authorization", "Bearer ok"}},
                              [&](auto r) { opened.set_value(std::move(r)); });
  auto ws = opened.get_future().get();
  ASSERT_TRUE(ws.ok()) << ws.error().describe();
  WsProbe probe;
  (*ws)->start([&](std::string m, bool) { probe.add(std::move(m)); },
               [&](switchboard::sdk::Status s) {
                 std::lock_guard l(probe.m);
                 probe.closedCleanly = s.ok();
                 probe.cv.notify_all();
               });
  ASSERT_TRUE(probe.waitFor(1));
  EXPECT_EQ(probe.messages[0], "hello");
  EXPECT_TRUE((*ws)->send("ping"));
  ASSERT_TRUE(probe.waitFor(2));
  EXPECT_EQ(probe.messages[1], "echo:ping");

  // Stopping the server closes the socket with a close frame.
  EXPECT_GE(server->connections(), 1U);
  server->stop();
  ASSERT_TRUE(probe.waitClosed());
  EXPECT_TRUE(*probe.closedCleanly);
  EXPECT_FALSE((*ws)->isOpen());
  EXPECT_FALSE((*ws)->send("late"));
}

TEST_F(HttpServer, WebSocketMessageLimit) {
  sbh::ServerOptions o;
  o.websocket.maxMessageBytes = 100;
  startServer(o);
  auto client = sbh::Client::create(loop.executor(), plainClient());
  std::promise<switchboard::sdk::Result<sbh::WebSocketPtr>> opened;
  (*client)->connectWebSocket(server->baseUrl() + "/v1/ws", {{"Authorization", "Bearer ok"}},
                              [&](auto r) { opened.set_value(std::move(r)); });
  auto ws = opened.get_future().get();
  ASSERT_TRUE(ws.ok()) << ws.error().describe();
  WsProbe probe;
  (*ws)->start([&](std::string m, bool) { probe.add(std::move(m)); },
               [&](switchboard::sdk::Status s) {
                 std::lock_guard l(probe.m);
                 probe.closedCleanly = s.ok();
                 probe.cv.notify_all();
               });
  ASSERT_TRUE(probe.waitFor(1));
  (*ws)->send(std::string(500, 'x'));
  ASSERT_TRUE(probe.waitClosed());  // the server closed it (1009), no echo came back
  EXPECT_EQ(probe.messages.size(), 1U);
}
