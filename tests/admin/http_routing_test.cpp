// The pieces of sb_http that need no socket: URL and target parsing, routing, rate limiting.

#include <gtest/gtest.h>

#include "http/rate_limiter.hpp"
#include "http/router.hpp"
#include "http/url.hpp"

namespace sbh = switchboard::http;

TEST(HttpUrl, ParsesSchemesHostsAndPorts) {
  auto u = sbh::parseUrl("https://example.com/v1/x?a=1#frag");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "example.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/v1/x?a=1");
  EXPECT_EQ(u->hostHeader(), "example.com");

  auto v6 = sbh::parseUrl("ws://[::1]:8080");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8080);
  EXPECT_EQ(v6->target, "/");
  EXPECT_EQ(v6->hostHeader(), "[::1]:8080");

  EXPECT_FALSE(sbh::parseUrl("ftp://x/").ok());
  EXPECT_FALSE(sbh::parseUrl("http://user:pw@x/").ok());
  EXPECT_FALSE(sbh::parseUrl("http://x:0/").ok());
  EXPECT_FALSE(sbh::parseUrl("http://x:70000/").ok());
  EXPECT_FALSE(sbh::parseUrl("http://:80/").ok());
  EXPECT_FALSE(sbh::parseUrl("no-scheme").ok());
}

TEST(HttpUrl, DecodesTargets) {
  auto t = sbh::parseTarget("/v1/contacts/a%20b?q=hello+world&limit=5&empty&x=%41");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->path, "/v1/contacts/a b");
  ASSERT_EQ(t->query.size(), 4U);
  EXPECT_EQ(t->query[0], (std::pair<std::string, std::string>{"q", "hello world"}));
  EXPECT_EQ(t->query[2], (std::pair<std::string, std::string>{"empty", ""}));
  EXPECT_EQ(t->query[3].second, "A");

  EXPECT_FALSE(sbh::parseTarget("v1/x").ok());
  EXPECT_FALSE(sbh::parseTarget("/v1/%2e%2e/admin").ok());
  EXPECT_FALSE(sbh::parseTarget("/v1/../admin").ok());
  EXPECT_FALSE(sbh::parseTarget("/v1/%0a").ok());
  EXPECT_FALSE(sbh::parseTarget("/v1/%zz").ok());
  EXPECT_FALSE(sbh::parseTarget("/v1/%4").ok());
  EXPECT_FALSE(sbh::parseTarget("/v1?a=%").ok());
}

TEST(HttpUrl, EncodesWhatIsNotUnreserved) {
  EXPECT_EQ(sbh::percentEncode("a b/c~d"), "a%20b%2Fc~d");
  auto back = sbh::percentDecode(sbh::percentEncode("+351 91 äö&="), false);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, "+351 91 äö&=");
}

namespace {
sbh::Response named(std::string name) {
  return sbh::Response::text(200, std::move(name));
}
}  // namespace

TEST(HttpRouter, MatchesPatternsAndPrefersLiterals) {
  sbh::Router r;
  r.add("GET", "/v1/contacts/{id}", [](const sbh::Request&) { return named("one"); });
  r.add("GET", "/v1/contacts/export", [](const sbh::Request&) { return named("export"); });
  r.add("DELETE", "/v1/contacts/{id}", [](const sbh::Request&) { return named("delete"); });
  r.add("POST", "/v1/conversations/{id}/notes", [](const sbh::Request&) { return named("note"); });
  r.addWebSocket("/v1/events", [](const sbh::Request&) -> std::variant<sbh::Response, sbh::WebSocketOpen> {
    return sbh::Response::noContent();
  });

  auto m = r.match("GET", "/v1/contacts/42", false);
  ASSERT_EQ(m.kind, sbh::Router::Match::Kind::Found);
  EXPECT_EQ(m.params.at("id"), "42");
  EXPECT_EQ(m.pattern, "/v1/contacts/{id}");

  m = r.match("GET", "/v1/contacts/export", false);
  ASSERT_EQ(m.kind, sbh::Router::Match::Kind::Found);
  EXPECT_EQ(m.pattern, "/v1/contacts/export");
  EXPECT_TRUE(m.params.empty());

  m = r.match("PUT", "/v1/contacts/42", false);
  EXPECT_EQ(m.kind, sbh::Router::Match::Kind::MethodNotAllowed);
  EXPECT_EQ(m.allow, "DELETE, GET");

  EXPECT_EQ(r.match("GET", "/v1/contacts/", false).kind, sbh::Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match("GET", "/v1/contacts/1/2", false).kind, sbh::Router::Match::Kind::NotFound);
  EXPECT_EQ(r.match("POST", "/v1/conversations/7/notes", false).params.at("id"), "7");

  EXPECT_EQ(r.match("GET", "/v1/events", false).kind, sbh::Router::Match::Kind::UpgradeRequired);
  auto ws = r.match("GET", "/v1/events", true);
  ASSERT_EQ(ws.kind, sbh::Router::Match::Kind::Found);
  EXPECT_NE(ws.websocket, nullptr);
  // An upgrade offer on a plain route is answered as plain HTTP.
  auto plain = r.match("GET", "/v1/contacts/1", true);
  ASSERT_EQ(plain.kind, sbh::Router::Match::Kind::Found);
  EXPECT_NE(plain.handler, nullptr);

  auto routes = r.routes();
  ASSERT_EQ(routes.size(), 5U);
  EXPECT_TRUE(routes.back().websocket);
  EXPECT_THROW(r.add("GET", "/v1/contacts/{id}", [](const sbh::Request&) { return named("dup"); }), std::logic_error);
}

TEST(HttpRouter, ResponderAnswersOnceAndDefaultsTo500) {
  std::vector<unsigned> seen;
  {
    sbh::Responder respond([&](sbh::Response r) { seen.push_back(r.status); });
    respond(sbh::Response::noContent());
    respond(sbh::Response::text(200, "again"));
  }
  { sbh::Responder dropped([&](sbh::Response r) { seen.push_back(r.status); }); }
  EXPECT_EQ(seen, (std::vector<unsigned>{204, 500}));
}

TEST(HttpRateLimiter, BurstThenWaitThenRefill) {
  sbh::RateLimiter limiter({2.0, 3.0}, 2);
  auto t0 = sbh::RateLimiter::Clock::now();
  EXPECT_EQ(limiter.take("a", t0), 0U);
  EXPECT_EQ(limiter.take("a", t0), 0U);
  EXPECT_EQ(limiter.take("a", t0), 0U);
  EXPECT_EQ(limiter.take("a", t0), 1U);  // empty: half a second to the next token, rounded up
  EXPECT_EQ(limiter.take("b", t0), 0U);  // other keys have their own bucket
  EXPECT_EQ(limiter.take("a", t0 + std::chrono::milliseconds(600)), 0U);
  // A third key evicts one of the two tracked ones: memory stays bounded.
  EXPECT_EQ(limiter.take("c", t0 + std::chrono::milliseconds(700)), 0U);
  EXPECT_LE(limiter.trackedKeys(), 2U);

  sbh::RateLimiter off({0, 0});
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(off.take("x"), 0U);
  }
}
