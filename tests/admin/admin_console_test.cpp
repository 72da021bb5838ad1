// What the admin API serves beyond its own resources: sessions known from `session.*` events (a
// connector without SessionControl), the web console's files, plugins' routes (SDK addHttpRoute)
// and the auto-responder's run-time rules over its plugin state.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/strand.hpp>
#include <chrono>

#include "admin/observed_sessions.hpp"
#include "admin_test_support.hpp"

using namespace admintest;

namespace {

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

sb::Event sessionEvent(const std::string& type, const std::string& account,
                       std::map<std::string, std::string> attributes, const std::string& tenant = "default") {
  sb::Event e;
  e.type = type;
  e.tenant = tenant;
  e.account = account;
  e.subject = account;
  e.attributes = std::move(attributes);
  e.timestamp = now();
  return e;
}

class AdminConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h = std::make_unique<AdminHarness>();
    root = h->token("root", "admin");
    ro = h->token("viewer", "read-only");
  }
  void TearDown() override { h.reset(); }
  std::unique_ptr<AdminHarness> h;
  std::string root, ro;
};

}  // namespace

TEST(ObservedSessions, FollowsTheConnectorsEvents) {
  admin::ObservedSessions s;
  s.observe(sessionEvent("message.received", "1555", {}));
  EXPECT_TRUE(s.list("default").empty()) << "only session.* events count";

  s.observe(sessionEvent("session.state", "1555", {{"state", "connecting"}, {"previous", "idle"}}));
  ASSERT_EQ(s.list("default").size(), 1U);
  EXPECT_EQ(s.find("default", "1555")->state, "connecting");
  EXPECT_EQ(s.qr("default", "1555", now()).error().code, "session.not_pairing");
  EXPECT_EQ(s.qr("default", "9999", now()).error().code, "session.not_found");
  EXPECT_FALSE(s.find("other", "1555")) << "tenants are apart";

  const auto expires = now() + 60000;
  s.observe(sessionEvent("session.state", "1555", {{"state", "qr"}, {"reason", "waiting"}}));
  s.observe(sessionEvent("session.qr", "1555", {{"code", "2@ref,a,b,c"}, {"expires_at_ms", std::to_string(expires)}}));
  EXPECT_EQ(s.find("default", "1555")->state, "pairing");
  auto qr = s.qr("default", "1555", now());
  ASSERT_TRUE(qr.ok());
  EXPECT_EQ(qr->code, "2@ref,a,b,c");
  EXPECT_EQ(qr->expiresAt, expires);
  EXPECT_EQ(s.qr("default", "1555", expires + 1).error().code, "session.not_pairing") << "an expired code is not shown";

  // Older connectors: `qr` and `expires_in_ms` only.
  s.observe(sessionEvent("session.qr", "1555", {{"qr", "2@next"}, {"expires_in_ms", "20000"}}));
  EXPECT_EQ(s.qr("default", "1555", now())->code, "2@next");

  s.observe(sessionEvent("session.paired", "1555", {{"jid", "1555:1@s.whatsapp.net"}}));
  s.observe(sessionEvent("session.state", "1555", {{"state", "connected"}, {"reason", "logged in"}}));
  EXPECT_EQ(s.find("default", "1555")->state, "connected");
  EXPECT_EQ(s.find("default", "1555")->jid, "1555:1@s.whatsapp.net");
  EXPECT_FALSE(s.qr("default", "1555", now()).ok()) << "a linked session shows no code";

  s.observe(sessionEvent("session.state", "1555", {{"state", "parked"}, {"reason", "conflict"}}));
  EXPECT_EQ(s.find("default", "1555")->state, "disconnected");
  EXPECT_EQ(s.find("default", "1555")->detail, "parked: conflict");
  s.observe(sessionEvent("session.logged_out", "1555", {{"reason", "device removed"}}));
  EXPECT_EQ(s.find("default", "1555")->state, "logged_out");
  EXPECT_EQ(s.find("default", "1555")->jid, "");

  EXPECT_EQ(admin::ObservedSessions::statusWord("idle", false), "new");
  EXPECT_EQ(admin::ObservedSessions::statusWord("idle", true), "disconnected");
  EXPECT_EQ(admin::ObservedSessions::statusWord("pairing_code", false), "pairing");
}

TEST_F(AdminConsoleTest, SessionsKnownFromEventsOnly) {
  h->bus.publish(sessionEvent("session.state", "15559990001", {{"state", "qr"}}));
  h->bus.publish(sessionEvent("session.qr", "15559990001",
                              {{"code", "2@evref,k1,k2,k3"}, {"expires_at_ms", std::to_string(now() + 60000)}}));
  auto list = h->call("GET", "/v1/accounts", ro).j();
  bool seen = false;
  for (const auto& a : list["items"]) {
    if (a["id"] == "15559990001") {
      seen = true;
      EXPECT_EQ(a["session"]["state"], "pairing");
      EXPECT_EQ(a["connector"], "");
    }
  }
  EXPECT_TRUE(seen) << list.dump();
  EXPECT_EQ(h->call("GET", "/v1/accounts/15559990001", ro).j()["session"]["state"], "pairing");
  auto qr = h->call("GET", "/v1/accounts/15559990001/qr", root);
  ASSERT_EQ(qr.status, 200) << qr.body;
  EXPECT_EQ(qr.j()["code"], "2@evref,k1,k2,k3");
  EXPECT_EQ(h->call("GET", "/v1/accounts/15559990001/qr", ro).status, 403) << "QR codes stay admin-only";
  auto png = h->call("GET", "/v1/accounts/15559990001/qr?format=png", root);
  EXPECT_EQ(png.headers["Content-Type"], "image/png");
  // What needs SessionControl is refused with a reason, not attempted.
  auto code = h->call("POST", "/v1/accounts/15559990001/pairing-code", root, R"({"phone":"15559990001"})");
  EXPECT_EQ(code.status, 501) << code.body;
  EXPECT_EQ(h->call("POST", "/v1/accounts/15559990001/logout", root).status, 501);

  h->bus.publish(sessionEvent("session.state", "15559990001", {{"state", "connected"}}));
  EXPECT_EQ(h->call("GET", "/v1/accounts/15559990001/qr", root).status, 409);
  EXPECT_EQ(h->call("GET", "/v1/accounts/15559990001", ro).j()["session"]["state"], "connected");
  // Another tenant's events stay there.
  h->bus.publish(sessionEvent("session.state", "15559990002", {{"state", "connecting"}}, "acme"));
  EXPECT_EQ(h->call("GET", "/v1/accounts/15559990002", ro).status, 404);
}

TEST_F(AdminConsoleTest, ServesTheConsole) {
  auto redirect = h->call("GET", "/console", "");
  EXPECT_EQ(redirect.status, 308);
  EXPECT_EQ(redirect.headers["Location"], "/console/");
  auto page = h->call("GET", "/console/", "");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.headers["Content-Type"], "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script src=\"console.js\""), std::string::npos);
  EXPECT_NE(page.headers["Content-Security-Policy"].find("default-src 'self'"), std::string::npos);
  auto js = h->call("GET", "/console/console.js", "");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.headers["Content-Type"], "text/javascript; charset=utf-8");
  EXPECT_NE(js.body.find("/v1/events"), std::string::npos);
  EXPECT_EQ(h->call("GET", "/console/console.css", "").headers["Content-Type"], "text/css; charset=utf-8");
  EXPECT_EQ(h->call("GET", "/console/nope.js", "").status, 404);
  EXPECT_EQ(h->call("GET", "/console/..%2Fopenapi.yaml", "").status, 404);
}

TEST_F(AdminConsoleTest, MountsPluginRoutes) {
  auto strand = boost::asio::make_strand(h->io);
  auto route = h->services->httpRoutes->add(
      "crm", "webhook", strand, nullptr, [](sb::HttpRouteRequest req, std::function<void(sb::HttpRouteResponse)> respond) {
        respond({202, "text/plain", "got " + req.body});
      });
  ASSERT_TRUE(route.ok()) << route.error().describe();
  auto r = h->call("POST", "/v1/hooks/crm/webhook", "", "payload", "text/plain");
  EXPECT_EQ(r.status, 202);
  EXPECT_EQ(r.body, "got payload");
  EXPECT_EQ(h->call("POST", "/v1/hooks/crm/other", "", "x").status, 404);
  route.value().reset();  // the plugin stops: its route goes
  EXPECT_EQ(h->call("POST", "/v1/hooks/crm/webhook", "", "x").status, 404);
}

TEST_F(AdminConsoleTest, AutoresponderRulesInPluginState) {
  std::atomic<int> changes{0};
  auto sub = h->bus.subscribe("autoresponder.rules_changed", [&](const sb::Event& e) {
    if (e.attributes.count("instance") != 0 && e.attributes.at("instance") == "wa") {
      ++changes;
    }
  });
  const std::string rule = R"({"kind":"keyword","keywords":["price"],"reply":{"text":"10 EUR"}})";
  EXPECT_EQ(h->call("PUT", "/v1/plugins/wa/rules/pricing", ro, rule).status, 403);
  auto put = h->call("PUT", "/v1/plugins/wa/rules/pricing", root, rule);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.j()["name"], "pricing");
  EXPECT_EQ(changes.load(), 1);
  auto stored = h->store->tenant("default")->getState("wa", "rules/pricing");
  ASSERT_TRUE(stored.ok() && stored.value());
  EXPECT_EQ(json::parse(*stored.value())["keywords"][0], "price");

  auto list = h->call("GET", "/v1/plugins/wa/rules", ro);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.j()["items"].size(), 1U);
  EXPECT_EQ(list.j()["items"][0]["reply"]["text"], "10 EUR");
  EXPECT_TRUE(list.j()["revision"].is_string());

  EXPECT_EQ(h->call("PUT", "/v1/plugins/wa/rules/pricing", root, R"({"name":"other"})").status, 400);
  EXPECT_EQ(h->call("PUT", "/v1/plugins/wa/rules/bad%20name", root, rule).status, 400);
  EXPECT_EQ(h->call("PUT", "/v1/plugins/wa/rules/x", root, "[1]").status, 400);
  EXPECT_EQ(h->call("PUT", "/v1/plugins/wa/rules/x", root, "{nope").status, 400);
  EXPECT_EQ(h->call("PUT", "/v1/plugins/nope/rules/x", root, rule).status, 404);
  EXPECT_EQ(h->call("GET", "/v1/plugins/nope/rules", ro).status, 404);

  EXPECT_EQ(h->call("DELETE", "/v1/plugins/wa/rules/pricing", root).status, 204);
  EXPECT_EQ(h->call("DELETE", "/v1/plugins/wa/rules/pricing", root).status, 404);
  EXPECT_EQ(changes.load(), 2);
  EXPECT_TRUE(h->call("GET", "/v1/plugins/wa/rules", ro).j()["items"].empty());
}
