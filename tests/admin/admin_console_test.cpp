// What the admin API serves beyond its own resources: sessions known from `session.*` events (a
// connector without SessionControl), the web console's files, plugins' routes (SDK addHttpRoute)
// and the auto-responder's run-time rules over its plugin state.

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/strand.hpp>
#include <chrono>

#include "admin/message_stats.hpp"
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

TEST_F(AdminConsoleTest, AutoresponderFaqAndQuickRepliesInPluginState) {
  std::atomic<int> changes{0};
  auto sub = h->bus.subscribe("autoresponder.rules_changed", [&](const sb::Event&) { ++changes; });
  const std::string faq = R"({"questions":["when are you open?"],"answer":"9 to 5"})";
  EXPECT_EQ(h->call("PUT", "/v1/plugins/wa/faq/hours", ro, faq).status, 403);
  auto put = h->call("PUT", "/v1/plugins/wa/faq/hours", root, faq);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.j()["id"], "hours");  // an FAQ entry is named by its id
  auto stored = h->store->tenant("default")->getState("wa", "faq/hours");
  ASSERT_TRUE(stored.ok() && stored.value());
  EXPECT_EQ(json::parse(*stored.value())["answer"], "9 to 5");
  EXPECT_EQ(h->call("PUT", "/v1/plugins/wa/faq/hours", root, R"({"id":"other"})").status, 400);

  auto quick = h->call("PUT", "/v1/plugins/wa/quick_replies/thanks", root, R"({"text":"Thank you!"})");
  ASSERT_EQ(quick.status, 200) << quick.body;
  EXPECT_EQ(quick.j()["name"], "thanks");
  EXPECT_EQ(changes.load(), 2);

  auto faqs = h->call("GET", "/v1/plugins/wa/faq", ro);
  ASSERT_EQ(faqs.status, 200) << faqs.body;
  ASSERT_EQ(faqs.j()["items"].size(), 1U);
  EXPECT_EQ(faqs.j()["items"][0]["id"], "hours");
  // Each collection lists only its own items.
  EXPECT_EQ(h->call("GET", "/v1/plugins/wa/quick_replies", ro).j()["items"].size(), 1U);
  EXPECT_TRUE(h->call("GET", "/v1/plugins/wa/rules", ro).j()["items"].empty());

  EXPECT_EQ(h->call("DELETE", "/v1/plugins/wa/faq/hours", root).status, 204);
  EXPECT_EQ(h->call("DELETE", "/v1/plugins/wa/faq/hours", root).status, 404);
  EXPECT_EQ(h->call("DELETE", "/v1/plugins/wa/quick_replies/thanks", root).status, 204);
  EXPECT_EQ(changes.load(), 4);
}

TEST(MessageStats, MinutesAndCustomerTurns) {
  const std::int64_t minute = 60000;
  const std::int64_t now = 1000 * minute + 30000;  // half way through minute 1000
  std::vector<admin::MessageRow> rows = {
      // Conversation a: two customer messages (one turn, from the first), an agent's reply 40 s
      // after it, then a second reply that answers nothing.
      {"a", true, false, 998 * minute + 10000},
      {"a", true, false, 998 * minute + 20000},
      {"a", false, false, 998 * minute + 50000},
      {"a", false, false, 999 * minute},
      // Conversation b: a bot's reply 2 s after the customer, listed out of order.
      {"b", false, true, 1000 * minute + 2000},
      {"b", true, false, 1000 * minute},
      // Conversation c: a turn that began before the window, answered in it (10 min).
      {"c", true, false, 990 * minute},
      {"c", false, false, 1000 * minute},
      // Outside the window on the other side: not counted.
      {"d", true, false, 1001 * minute},
  };
  auto s = admin::summarizeMessages(rows, now, 3);
  ASSERT_EQ(s.minutes.size(), 3U);
  EXPECT_EQ(s.from, 998 * minute);
  EXPECT_EQ(s.to, 1001 * minute);
  EXPECT_EQ(s.minutes[0].start, 998 * minute);
  EXPECT_EQ(s.minutes[0].in, 2);
  EXPECT_EQ(s.minutes[0].out, 1);
  EXPECT_EQ(s.minutes[0].responses, 1);
  EXPECT_DOUBLE_EQ(s.minutes[0].responseAvgMs, 40000);
  EXPECT_EQ(s.minutes[1].out, 1);
  EXPECT_EQ(s.minutes[1].responses, 0) << "a second reply ends no turn";
  EXPECT_EQ(s.minutes[2].in, 1);
  EXPECT_EQ(s.minutes[2].out, 2);
  EXPECT_EQ(s.minutes[2].responses, 2);
  EXPECT_DOUBLE_EQ(s.minutes[2].responseAvgMs, (2000.0 + 600000.0) / 2);
  EXPECT_EQ(s.responses.count, 3);
  EXPECT_EQ(s.responses.p50Ms, 40000);
  EXPECT_EQ(s.responses.maxMs, 600000);
  EXPECT_EQ(s.automatic.count, 1);
  EXPECT_EQ(s.automatic.maxMs, 2000);
  EXPECT_EQ(s.agent.count, 2);
  EXPECT_DOUBLE_EQ(s.agent.avgMs, 320000);

  auto empty = admin::summarizeMessages({}, now, 0);
  ASSERT_EQ(empty.minutes.size(), 1U) << "the window is at least one minute";
  EXPECT_EQ(empty.responses.count, 0);
}

TEST_F(AdminConsoleTest, MessageStatsEndpoint) {
  h->receive("15550001", "15557770021", "where is my order?", "default", now() - 3000);
  h->receive("15550001", "15557770021", "hello?", "default", now() - 2000);
  h->receive("15550001", "15557770022", "hi", "default", now() - 1000);
  auto sent = h->call("POST", "/v1/messages", root, R"({"account":"15550001","to":"15557770021","text":"on its way"})");
  ASSERT_EQ(sent.status, 202) << sent.body;

  json stats;
  ASSERT_TRUE(waitFor([&] {
    auto r = h->call("GET", "/v1/stats/messages?minutes=5", ro);
    stats = r.j();
    return r.status == 200 && stats["responses"]["count"] == 1;
  })) << stats.dump();
  ASSERT_EQ(stats["minutes"].size(), 5U);
  int in = 0, out = 0;
  for (const auto& m : stats["minutes"]) {
    in += m["in"].get<int>();
    out += m["out"].get<int>();
    EXPECT_EQ(m["start"].get<std::int64_t>() % 60000, 0);
  }
  EXPECT_EQ(in, 3);
  EXPECT_EQ(out, 1);
  EXPECT_EQ(stats["responses"]["agent"]["count"], 1) << "a send through the API is a person's reply";
  EXPECT_EQ(stats["responses"]["automatic"]["count"], 0);
  EXPECT_GE(stats["responses"]["max_ms"].get<std::int64_t>(), 3000) << "from the first unanswered message";
  EXPECT_EQ(stats["truncated"], false);
  EXPECT_EQ(stats["to"].get<std::int64_t>() - stats["from"].get<std::int64_t>(), 5 * 60000);

  EXPECT_EQ(h->call("GET", "/v1/stats/messages", ro).j()["minutes"].size(), 60U) << "an hour unless asked";
  EXPECT_EQ(h->call("GET", "/v1/stats/messages?minutes=0", ro).status, 400);
  EXPECT_EQ(h->call("GET", "/v1/stats/messages?minutes=abc", ro).status, 400);
  EXPECT_EQ(h->call("GET", "/v1/stats/messages?minutes=1441", ro).status, 400);
  EXPECT_EQ(h->call("GET", "/v1/stats/messages", "").status, 401);
  EXPECT_EQ(h->call("GET", "/v1/stats/messages", "sbt_unknown").status, 401);
}
