// The admin API end to end in one process: every endpoint over HTTP against a real SQLite store,
// pipeline and plugin manager (the fake session connector), with authentication failures, role
// checks, bad JSON, oversized requests and tenant isolation.

#include <gtest/gtest.h>

#include "admin_test_support.hpp"

using namespace admintest;
using namespace std::chrono_literals;

namespace {

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h = std::make_unique<AdminHarness>();
    root = h->token("root", "admin");
    op = h->token("ops", "operator");
    ro = h->token("viewer", "read-only");
  }
  void TearDown() override { h.reset(); }

  std::unique_ptr<AdminHarness> h;
  std::string root, op, ro;
};

}  // namespace

TEST_F(AdminApiTest, AuthenticationFailures) {
  auto none = h->call("GET", "/v1/agents", "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.code(), "unauthenticated");
  EXPECT_EQ(none.headers["WWW-Authenticate"], "Bearer realm=\"switchboard\"");

  EXPECT_EQ(h->call("GET", "/v1/agents", "sbt_not-a-real-token").status, 401);
  EXPECT_EQ(h->call("GET", "/v1/agents", root + "x").status, 401);

  http::ClientRequest basic{"GET", h->baseUrl() + "/v1/agents", {{"Authorization", "Basic cm9vdDpyb290"}}, "", 0ms};
  auto r = http::fetch({}, basic);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);

  // Revoked tokens stop working at once.
  auto temp = h->token("temp", "read-only");
  EXPECT_EQ(h->call("GET", "/v1/agents", temp).status, 200);
  EXPECT_EQ(h->call("DELETE", "/v1/tokens/temp", root).status, 204);
  EXPECT_EQ(h->call("GET", "/v1/agents", temp).status, 401);

  // Probes and the document need no token.
  EXPECT_EQ(h->call("GET", "/v1/health/live", "").status, 200);
  EXPECT_EQ(h->call("GET", "/v1/health/ready", "").status, 200);
  auto doc = h->call("GET", "/v1/openapi.json", "");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(doc.j()["openapi"], "3.0.3");
  EXPECT_EQ(h->call("GET", "/v1/metrics", "").status, 401);
}

TEST_F(AdminApiTest, RoleChecks) {
  const std::string agent = R"({"id":"a1","name":"Ana","capacity":3})";
  auto denied = h->call("POST", "/v1/agents", ro, agent);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.code(), "forbidden");
  EXPECT_NE(denied.j()["error"]["message"].get<std::string>().find("read-only"), std::string::npos);
  EXPECT_EQ(h->call("POST", "/v1/agents", op, agent).status, 403);
  EXPECT_EQ(h->call("POST", "/v1/agents", root, agent).status, 201);

  EXPECT_EQ(h->call("GET", "/v1/agents", ro).status, 200);
  EXPECT_EQ(h->call("PUT", "/v1/agents/a1/status", ro, R"({"status":"available"})").status, 403);
  EXPECT_EQ(h->call("PUT", "/v1/agents/a1/status", op, R"({"status":"available"})").status, 200);
  EXPECT_EQ(h->call("GET", "/v1/audit", ro).status, 403);
  EXPECT_EQ(h->call("GET", "/v1/tokens", op).status, 403);
  EXPECT_EQ(h->call("GET", "/v1/accounts/15550001/qr", op).status, 403);
  EXPECT_EQ(h->call("POST", "/v1/tokens", op, R"({"name":"x","role":"admin"})").status, 403);

  // Refused writes are audited too, with who tried.
  auto audit = h->call("GET", "/v1/audit", op).j();
  bool sawRefusal = false, sawCreate = false;
  for (const auto& e : audit["items"]) {
    sawRefusal = sawRefusal || (e["actor"] == "viewer" && e["action"] == "agent.create" && e["detail"] == "refused 403");
    sawCreate = sawCreate || (e["actor"] == "root" && e["action"] == "agent.create" && e["subject"] == "a1");
  }
  EXPECT_TRUE(sawRefusal) << audit.dump();
  EXPECT_TRUE(sawCreate) << audit.dump();
}

TEST_F(AdminApiTest, BadJsonAndBadFields) {
  auto bad = h->call("POST", "/v1/agents", root, "{\"id\":");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.code(), "bad_json");
  EXPECT_EQ(h->call("POST", "/v1/agents", root, "[1,2]").status, 400);
  EXPECT_EQ(h->call("POST", "/v1/agents", root, "").code(), "bad_json");
  auto type = h->call("POST", "/v1/agents", root, R"({"id":"a2","capacity":"many"})");
  EXPECT_EQ(type.status, 400);
  EXPECT_EQ(type.code(), "invalid");
  EXPECT_NE(type.body.find("capacity"), std::string::npos);
  auto typo = h->call("POST", "/v1/agents", root, R"({"id":"a2","capcity":3})");
  EXPECT_EQ(typo.status, 400);
  EXPECT_NE(typo.body.find("capcity"), std::string::npos);
  EXPECT_EQ(h->call("POST", "/v1/agents", root, R"({"id":"a2","capacity":99999999999999999999})").status, 400);
  EXPECT_EQ(h->call("POST", "/v1/agents", root, R"({"id":"a2","status":"sleeping"})").status, 400);
  EXPECT_EQ(h->call("POST", "/v1/agents", root, R"({"id":"a2","hours":[{"weekday":9}]})").status, 400);
  EXPECT_EQ(h->call("GET", "/v1/conversations?limit=abc", ro).status, 400);
  EXPECT_EQ(h->call("GET", "/v1/conversations?limit=100000", ro).status, 400);
  EXPECT_EQ(h->call("GET", "/v1/conversations?status=weird", ro).status, 400);
  EXPECT_EQ(h->call("POST", "/v1/messages", op, R"({"account":"15550001","to":"1555"})").status, 400);
  EXPECT_EQ(h->call("GET", "/v1/nothing-here", ro).status, 404);
  EXPECT_EQ(h->call("PATCH", "/v1/agents", root).status, 405);
}

TEST(AdminApiLimits, OversizedRequestsAndRateLimits) {
  auto s = AdminHarness::defaults();
  s.maxBodyBytes = 2048;
  s.tokenRateLimit = 1;
  s.tokenRateBurst = 5;
  AdminHarness h(s);
  auto root = h.token("root", "admin");
  auto big = h.call("POST", "/v1/agents", root, R"({"id":"a","name":")" + std::string(4096, 'x') + "\"}");
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.code(), "payload_too_large");
  int limited = 0;
  for (int i = 0; i < 8; ++i) {
    auto r = h.call("GET", "/v1/agents", root);
    if (r.status == 429) {
      ++limited;
      EXPECT_EQ(r.code(), "rate_limited");
      EXPECT_FALSE(r.headers["Retry-After"].empty());
    }
  }
  EXPECT_GE(limited, 2);
  // Another token has its own budget.
  EXPECT_EQ(h.call("GET", "/v1/agents", h.token("other", "read-only")).status, 200);
}

TEST_F(AdminApiTest, AgentsCrudAndStatus) {
  auto created = h->call("POST", "/v1/agents", root,
                         R"({"id":"a1","name":"Ana","skills":["billing"],"languages":["pt"],"capacity":2,
                             "hours":[{"weekday":1,"start_minute":540,"end_minute":1020}],"priority":3})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.j()["skills"], json::array({"billing"}));
  EXPECT_EQ(created.j()["hours"][0]["start_minute"], 540);
  EXPECT_EQ(h->call("POST", "/v1/agents", root, R"({"id":"a1"})").status, 409);
  EXPECT_EQ(h->call("GET", "/v1/agents/a1", ro).j()["name"], "Ana");
  auto changed = h->call("PUT", "/v1/agents/a1", root, R"({"capacity":4})");
  ASSERT_EQ(changed.status, 200);
  EXPECT_EQ(changed.j()["capacity"], 4);
  EXPECT_EQ(changed.j()["name"], "Ana");  // fields not named stay
  EXPECT_EQ(h->call("PUT", "/v1/agents/a1", root, R"({"id":"other"})").status, 400);
  auto status = h->call("PUT", "/v1/agents/a1/status", op, R"({"status":"available","command_id":"st-1"})");
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(status.j()["status"], "available");
  EXPECT_EQ(status.j()["command"]["stage"], "sent");
  auto list = h->call("GET", "/v1/agents?status=available", ro).j();
  ASSERT_EQ(list["items"].size(), 1U);
  EXPECT_TRUE(h->call("GET", "/v1/agents?status=busy", ro).j()["items"].empty());
  EXPECT_EQ(h->call("PUT", "/v1/agents/nobody/status", op, R"({"status":"away"})").status, 404);
  EXPECT_EQ(h->call("DELETE", "/v1/agents/a1", root).status, 204);
  EXPECT_EQ(h->call("GET", "/v1/agents/a1", ro).status, 404);
  EXPECT_EQ(h->call("DELETE", "/v1/agents/a1", root).status, 404);
}

TEST_F(AdminApiTest, ConversationsAssignTransferCloseNotesTagsHistory) {
  h->receive("15550001", "15557770001", "hello there");
  h->receive("15550001", "15557770001", "anyone?");
  h->receive("15550001", "15557770002", "price list please");
  ASSERT_EQ(h->call("POST", "/v1/agents", root, R"({"id":"a1","name":"Ana"})").status, 201);
  ASSERT_EQ(h->call("POST", "/v1/agents", root, R"({"id":"a2","name":"Bo"})").status, 201);

  auto list = h->call("GET", "/v1/conversations", ro).j();
  ASSERT_EQ(list["items"].size(), 2U) << list.dump();
  auto found = h->call("GET", "/v1/conversations?q=7770002", ro).j();
  ASSERT_EQ(found["items"].size(), 1U) << found.dump();
  const std::string id = found["items"][0]["id"];
  EXPECT_TRUE(h->call("GET", "/v1/conversations?q=zzz", ro).j()["items"].empty());

  auto assigned = h->call("POST", "/v1/conversations/" + id + "/assign", op, R"({"agent":"a1"})");
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  EXPECT_EQ(assigned.j()["assignee"], "a1");
  EXPECT_EQ(h->call("GET", "/v1/conversations?assignee=a1", ro).j()["items"].size(), 1U);
  auto moved = h->call("POST", "/v1/conversations/" + id + "/transfer", op, R"({"agent":"a2"})");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.j()["assignee"], "a2");
  EXPECT_EQ(h->call("POST", "/v1/conversations/" + id + "/assign", op, R"({"agent":"ghost"})").status / 100, 4);
  EXPECT_EQ(h->call("POST", "/v1/conversations/" + id + "/assign", op, R"({})").status, 400);
  EXPECT_EQ(h->call("POST", "/v1/conversations/nope/assign", op, R"({"agent":"a1"})").status, 404);

  EXPECT_EQ(h->call("POST", "/v1/conversations/" + id + "/notes", op, R"({"text":"called back"})").status, 201);
  auto tagged = h->call("PUT", "/v1/conversations/" + id + "/tags", op, R"({"tags":["vip","quote"]})");
  ASSERT_EQ(tagged.status, 200);
  EXPECT_EQ(tagged.j()["tags"], json::array({"vip", "quote"}));
  // The operator's bot switch: off, then on again; read-only tokens may not touch it.
  auto botOff = h->call("PUT", "/v1/conversations/" + id + "/bot", op, R"({"enabled":false})");
  ASSERT_EQ(botOff.status, 200) << botOff.body;
  EXPECT_EQ(botOff.j()["bot_paused"], true);
  EXPECT_EQ(h->call("GET", "/v1/conversations/" + id, ro).j()["bot_paused"], true);
  EXPECT_EQ(h->call("PUT", "/v1/conversations/" + id + "/bot", ro, R"({"enabled":true})").status, 403);
  EXPECT_EQ(h->call("PUT", "/v1/conversations/" + id + "/bot", op, R"({"enabled":"yes"})").status, 400);
  EXPECT_EQ(h->call("PUT", "/v1/conversations/nope/bot", op, R"({"enabled":true})").status, 404);
  auto botOn = h->call("PUT", "/v1/conversations/" + id + "/bot", op, R"({"enabled":true})");
  ASSERT_EQ(botOn.status, 200) << botOn.body;
  EXPECT_EQ(botOn.j()["bot_paused"], false);
  auto one = h->call("GET", "/v1/conversations/" + id, ro).j();
  ASSERT_EQ(one["notes"].size(), 1U);
  EXPECT_EQ(one["notes"][0]["author"], "ops");
  EXPECT_EQ(h->call("GET", "/v1/conversations?tag=vip", ro).j()["items"].size(), 1U);

  // History of the two-message conversation, one per page.
  auto other = h->call("GET", "/v1/conversations?q=7770001", ro).j()["items"][0]["id"].get<std::string>();
  auto page1 = h->call("GET", "/v1/conversations/" + other + "/messages?limit=1", ro).j();
  ASSERT_EQ(page1["items"].size(), 1U);
  EXPECT_EQ(page1["items"][0]["text"], "anyone?");
  ASSERT_FALSE(page1["next_before"].is_null());
  auto page2 = h->call("GET", "/v1/conversations/" + other + "/messages?limit=1&before=" +
                           std::to_string(page1["next_before"].get<long long>()), ro).j();
  ASSERT_EQ(page2["items"].size(), 1U);
  EXPECT_EQ(page2["items"][0]["text"], "hello there");
  EXPECT_EQ(h->call("GET", "/v1/conversations/" + other + "/messages?before=yesterday", ro).status, 400);

  auto closed = h->call("POST", "/v1/conversations/" + id + "/close", op);
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(closed.j()["status"], "closed");
  EXPECT_EQ(h->call("GET", "/v1/conversations?status=closed", ro).j()["items"].size(), 1U);
}

TEST_F(AdminApiTest, ContactsCrudNotesCsv) {
  auto created = h->call("POST", "/v1/contacts", op, R"({"phone":"+1 555 123 4567","name":"Joan","tags":["lead"],
                                                        "fields":{"plan":"gold"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.j()["id"];
  EXPECT_EQ(created.j()["phone"], "15551234567");
  EXPECT_EQ(h->call("POST", "/v1/contacts", op, R"({"phone":"15551234567"})").status, 409);
  EXPECT_EQ(h->call("POST", "/v1/contacts", op, R"({"name":"nobody"})").status, 400);
  EXPECT_EQ(h->call("GET", "/v1/contacts/" + id, ro).j()["fields"]["plan"], "gold");
  auto changed = h->call("PUT", "/v1/contacts/" + id, op, R"({"vip":true})");
  ASSERT_EQ(changed.status, 200);
  EXPECT_TRUE(changed.j()["vip"].get<bool>());
  EXPECT_EQ(changed.j()["name"], "Joan");
  EXPECT_EQ(h->call("GET", "/v1/contacts?q=Joan", ro).j()["items"].size(), 1U);
  EXPECT_EQ(h->call("POST", "/v1/contacts/" + id + "/notes", op, R"({"text":"prefers email"})").status, 201);
  EXPECT_EQ(h->call("GET", "/v1/contacts/" + id, ro).j()["notes"][0]["text"], "prefers email");

  auto csv = h->call("GET", "/v1/contacts/export", ro);
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.headers["Content-Type"].rfind("text/csv", 0), 0U);
  EXPECT_NE(csv.body.find("15551234567"), std::string::npos);
  auto header = csv.body.substr(0, csv.body.find('\n'));
  auto imported = h->call("POST", "/v1/contacts/import", op, header + "\n", "text/csv");
  EXPECT_EQ(imported.status, 200) << imported.body;
  EXPECT_EQ(h->call("POST", "/v1/contacts/import", op, "{}", "application/json").status, 415);

  EXPECT_EQ(h->call("DELETE", "/v1/contacts/" + id, ro).status, 403);
  EXPECT_EQ(h->call("DELETE", "/v1/contacts/" + id, op).status, 204);
  EXPECT_EQ(h->call("GET", "/v1/contacts/" + id, ro).status, 404);
  // A contact with conversations cannot go.
  h->receive("15550001", "15557770009", "hi");
  auto withConv = h->call("GET", "/v1/contacts?q=7770009", ro).j()["items"][0]["id"].get<std::string>();
  auto refused = h->call("DELETE", "/v1/contacts/" + withConv, op);
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.code(), "contact.in_use");
}

TEST_F(AdminApiTest, Templates) {
  auto put = h->call("PUT", "/v1/templates/welcome", root, R"({"language":"en","body":"Hi {{name}}","category":"utility"})");
  ASSERT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(h->call("PUT", "/v1/templates/welcome", root, R"({"body":"Hello {{name}}"})").status, 200);
  EXPECT_EQ(h->call("GET", "/v1/templates/welcome", ro).j()["body"], "Hello {{name}}");
  EXPECT_EQ(h->call("GET", "/v1/templates/welcome", ro).j()["language"], "en");
  EXPECT_EQ(h->call("PUT", "/v1/templates/second", root, R"({"body":"x"})").status, 201);
  auto list = h->call("GET", "/v1/templates", ro).j();
  ASSERT_EQ(list["items"].size(), 2U);
  EXPECT_EQ(list["items"][0]["name"], "second");
  EXPECT_EQ(h->call("PUT", "/v1/templates/bad", root, R"({"language":"en"})").status, 400);
  EXPECT_EQ(h->call("PUT", "/v1/templates/welcome", op, R"({"body":"x"})").status, 403);
  EXPECT_EQ(h->call("DELETE", "/v1/templates/welcome", root).status, 204);
  EXPECT_EQ(h->call("GET", "/v1/templates/welcome", ro).status, 404);
}

TEST_F(AdminApiTest, SendGoesThroughTheOutboundPath) {
  std::mutex m;
  std::vector<sb::Event> seen;
  auto sub = h->bus.subscribe("", [&](const sb::Event& e) {
    std::lock_guard lock(m);
    seen.push_back(e);
  });
  auto sent = h->call("POST", "/v1/messages", op,
                      R"({"account":"15550001","to":"15557770005","text":"your order shipped","command_id":"order-77"})");
  ASSERT_EQ(sent.status, 202) << sent.body;
  EXPECT_EQ(sent.j()["command_id"], "order-77");
  EXPECT_EQ(sent.j()["stage"], "accepted");
  ASSERT_TRUE(waitFor([&] {
    std::lock_guard lock(m);
    for (const auto& e : seen) {
      if (e.type == "command.result" && e.subject == "order-77" && e.attributes.at("stage") == "sent") {
        return true;
      }
    }
    return false;
  }));
  // The same command id again is the same command: nothing new is sent.
  auto again = h->call("POST", "/v1/messages", op,
                       R"({"account":"15550001","to":"15557770005","text":"your order shipped","command_id":"order-77"})");
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(again.j()["stage"], "sent");
  {
    std::lock_guard lock(m);
    int outbound = 0;
    for (const auto& e : seen) {
      outbound += e.type == "message.outbound" && e.subject == "order-77" ? 1 : 0;
    }
    EXPECT_EQ(outbound, 1);
  }
  auto unknown = h->call("POST", "/v1/messages", op, R"({"account":"19999999","to":"1555","text":"x"})");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(h->call("POST", "/v1/messages", op, R"({"to":"1555","text":"x"})").status, 400);
  EXPECT_EQ(h->call("POST", "/v1/messages", op, R"({"account":"15550001","to":"1","text":"a","template":"b"})").status,
            400);
  EXPECT_EQ(h->call("POST", "/v1/messages", ro, R"({"account":"15550001","to":"1","text":"a"})").status, 403);
}

TEST_F(AdminApiTest, AccountsAndPairing) {
  auto list = h->call("GET", "/v1/accounts", ro).j();
  ASSERT_EQ(list["items"].size(), 1U) << list.dump();
  EXPECT_EQ(list["items"][0]["session"]["state"], "connected");
  EXPECT_EQ(list["items"][0]["connector"], "wa");

  EXPECT_EQ(h->call("POST", "/v1/accounts", op, R"({"id":"15550002"})").status, 403);
  auto created = h->call("POST", "/v1/accounts", root, R"({"id":"15550002","name":"Shop"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.j()["session"]["state"], "pairing");
  EXPECT_EQ(h->call("POST", "/v1/accounts", root, R"({"id":"15550002","connector":"nope"})").status, 404);

  auto qr = h->call("GET", "/v1/accounts/15550002/qr", root);
  ASSERT_EQ(qr.status, 200) << qr.body;
  EXPECT_EQ(qr.j()["code"].get<std::string>().rfind("2@fakeref15550002,", 0), 0U);
  auto png = h->call("GET", "/v1/accounts/15550002/qr?format=png", root);
  ASSERT_EQ(png.status, 200);
  EXPECT_EQ(png.headers["Content-Type"], "image/png");
  EXPECT_EQ(png.body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto svg = h->call("GET", "/v1/accounts/15550002/qr?format=svg", root);
  EXPECT_NE(svg.body.find("<svg"), std::string::npos);
  auto text = h->call("GET", "/v1/accounts/15550002/qr?format=text", root);
  EXPECT_NE(text.body.find("\u2588"), std::string::npos);
  EXPECT_EQ(h->call("GET", "/v1/accounts/15550002/qr?format=gif", root).status, 400);

  auto code = h->call("POST", "/v1/accounts/15550002/pairing-code", root, R"({"phone":"15550002"})");
  ASSERT_EQ(code.status, 200) << code.body;
  EXPECT_EQ(code.j()["code"], "FAKE0002");
  EXPECT_EQ(h->call("POST", "/v1/accounts/15550002/pairing-code", root, R"({"phone":"+1 555"})").status, 400);

  // A linked account has no QR to show.
  auto linked = h->call("GET", "/v1/accounts/15550001/qr", root);
  EXPECT_EQ(linked.status, 409);
  EXPECT_EQ(linked.code(), "session.not_pairing");
  auto out = h->call("POST", "/v1/accounts/15550001/logout", root);
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(out.j()["session"]["state"], "logged_out");
  EXPECT_EQ(h->call("GET", "/v1/accounts/15550001", ro).j()["session"]["state"], "logged_out");
  EXPECT_EQ(h->call("GET", "/v1/accounts/19990000", ro).status, 404);
  EXPECT_EQ(h->call("POST", "/v1/accounts/19990000/logout", root).status, 404);
}

TEST_F(AdminApiTest, TenantIsolation) {
  h->receive("15550001", "15557770001", "default tenant's customer");
  ASSERT_EQ(h->call("POST", "/v1/agents", root, R"({"id":"a1","name":"Default's agent"})").status, 201);
  auto conv = h->call("GET", "/v1/conversations", ro).j()["items"][0]["id"].get<std::string>();
  ASSERT_EQ(h->call("PUT", "/v1/templates/t1", root, R"({"body":"default"})").status, 201);

  auto acme = h->token("acme-admin", "admin", "acme");
  EXPECT_EQ(h->call("GET", "/v1/agents/a1", acme).status, 404);
  EXPECT_EQ(h->call("GET", "/v1/agents/a1?tenant=default", acme).status, 404);
  EXPECT_EQ(h->call("GET", "/v1/conversations/" + conv, acme).status, 404);
  EXPECT_EQ(h->call("POST", "/v1/conversations/" + conv + "/close", acme).status, 404);
  EXPECT_EQ(h->call("GET", "/v1/conversations/" + conv + "/messages", acme).status, 404);
  EXPECT_EQ(h->call("GET", "/v1/templates/t1", acme).status, 404);
  EXPECT_TRUE(h->call("GET", "/v1/conversations", acme).j()["items"].empty());
  EXPECT_TRUE(h->call("GET", "/v1/accounts", acme).j()["items"].empty());
  EXPECT_EQ(h->call("GET", "/v1/accounts/15550001", acme).status, 404);
  EXPECT_EQ(h->call("GET", "/v1/accounts/15550001/qr", acme).status, 404);
  EXPECT_EQ(h->call("POST", "/v1/messages", acme, R"({"conversation":")" + conv + R"(","text":"x"})").status, 404);
  EXPECT_EQ(h->call("POST", "/v1/messages", acme, R"({"account":"15550001","to":"1555","text":"x"})").status, 404);

  ASSERT_EQ(h->call("POST", "/v1/agents", acme, R"({"id":"a1","name":"Acme's agent"})").status, 201);
  EXPECT_EQ(h->call("GET", "/v1/agents/a1", acme).j()["name"], "Acme's agent");
  EXPECT_EQ(h->call("GET", "/v1/agents/a1", root).j()["name"], "Default's agent");
  EXPECT_EQ(h->call("GET", "/v1/agents/a1?tenant=acme", root).j()["name"], "Acme's agent");
  // The scoped admin sees and mints tokens of its tenant only.
  auto tokens = h->call("GET", "/v1/tokens", acme).j();
  ASSERT_EQ(tokens["items"].size(), 1U);
  EXPECT_EQ(tokens["items"][0]["name"], "acme-admin");
  EXPECT_EQ(h->call("POST", "/v1/tokens", acme, R"({"name":"wide","role":"admin","tenant":"default"})").status, 404);
  auto minted = h->call("POST", "/v1/tokens", acme, R"({"name":"acme-ro","role":"read-only"})");
  ASSERT_EQ(minted.status, 201);
  EXPECT_EQ(minted.j()["tenant"], "acme");
  EXPECT_EQ(h->call("GET", "/v1/agents/a1", minted.j()["token"].get<std::string>()).j()["name"], "Acme's agent");
  EXPECT_EQ(h->call("DELETE", "/v1/tokens/viewer", acme).status, 404);
  // Audit entries stay in their tenant.
  const auto acmeAudit = h->call("GET", "/v1/audit", acme).j();
  for (const auto& e : acmeAudit["items"]) {
    EXPECT_EQ(e["tenant"], "acme");
  }
}

TEST_F(AdminApiTest, HealthMetricsPluginsAudit) {
  auto ready = h->call("GET", "/v1/health/ready", "");
  ASSERT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(ready.j()["status"], "ready");
  EXPECT_TRUE(ready.j()["components"]["database"]["ok"].get<bool>());
  EXPECT_EQ(ready.j()["components"]["sessions"]["connected"], 1);
  h->kafkaOk = false;
  auto down = h->call("GET", "/v1/health/ready", "");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.j()["components"]["kafka"]["detail"], "broker away");
  h->kafkaOk = true;

  auto metrics = h->call("GET", "/v1/metrics", ro);
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("switchboard_http_requests_total{"), std::string::npos);
  EXPECT_NE(metrics.body.find("route=\"/v1/health/ready\""), std::string::npos);

  auto plugins = h->call("GET", "/v1/plugins", ro).j();
  ASSERT_EQ(plugins["items"].size(), 1U);
  EXPECT_EQ(plugins["items"][0]["state"], "running");
  EXPECT_EQ(plugins["items"][0]["version"], "0.1.0");
  EXPECT_EQ(plugins["items"][0]["kinds"], json::array({"connector", "sessions"}));

  ASSERT_EQ(h->call("POST", "/v1/agents", root, R"({"id":"audited"})").status, 201);
  auto audit = h->call("GET", "/v1/audit?limit=5", op).j();
  ASSERT_FALSE(audit["items"].empty());
  EXPECT_EQ(audit["items"][0]["action"], "agent.create");
  EXPECT_EQ(audit["items"][0]["actor"], "root");
  EXPECT_EQ(audit["items"][0]["detail"], "201");
}

TEST_F(AdminApiTest, EventFeedOverWebSocket) {
  boost::asio::io_context io;
  auto client = http::Client::create(io.get_executor(), {});
  ASSERT_TRUE(client.ok());
  std::optional<sb::Result<http::WebSocketPtr>> refused;
  (*client)->connectWebSocket(h->baseUrl() + "/v1/events", {}, [&](auto r) { refused.emplace(std::move(r)); });
  io.run();
  io.restart();
  ASSERT_TRUE(refused.has_value());
  ASSERT_FALSE(refused->ok());
  EXPECT_NE(refused->error().message.find("401"), std::string::npos);

  std::vector<std::string> messages;
  std::optional<sb::Result<http::WebSocketPtr>> opened;
  (*client)->connectWebSocket(h->baseUrl() + "/v1/events?types=message.,session.&access_token=" + ro, {},
                              [&](auto r) { opened.emplace(std::move(r)); });
  while (!opened) {
    io.run_one();
  }
  ASSERT_TRUE(opened->ok()) << opened->error().describe();
  auto ws = opened->value();
  ws->start([&](std::string m, bool) { messages.push_back(std::move(m)); }, [](sb::Status) {});
  std::thread t([&] {
    // The feed is subscribed once its first message is out; then events flow.
    std::this_thread::sleep_for(200ms);
    h->receive("15550001", "15557770003", "live one");
    sb::Event other;
    other.type = "message.received";
    other.tenant = "acme";  // another tenant's: never shown
    h->bus.publish(other);
    sb::Event unrelated;
    unrelated.type = "agent.status";  // filtered out by types=
    h->bus.publish(unrelated);
  });
  const auto end = std::chrono::steady_clock::now() + 10s;
  auto sawLive = [&] {
    for (const auto& m : messages) {
      auto j = json::parse(m, nullptr, false);
      if (j.is_object() && j["type"] == "message.received" && j["tenant"] == "default") {
        return true;
      }
    }
    return false;
  };
  while (!sawLive() && std::chrono::steady_clock::now() < end) {
    io.run_for(50ms);
  }
  t.join();
  io.run_for(200ms);
  ASSERT_TRUE(sawLive());
  EXPECT_EQ(json::parse(messages.front())["type"], "feed.open");
  for (const auto& m : messages) {
    auto j = json::parse(m);
    EXPECT_NE(j["type"], "agent.status");
    EXPECT_EQ(j["tenant"], "default");
  }
  ws->close();
  io.run_for(500ms);
}
