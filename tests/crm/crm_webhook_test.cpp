// The CRM's webhook, served through the host's plugin-route table on an sb_http listener as the
// admin API serves it: a good signature applies the change (last writer by timestamp), a bad or
// missing one is refused and nothing is applied, a replay is refused, and an applied change is not
// sent back to the CRM (no echo loop).

#include <algorithm>
#include <atomic>

#include "crm_fixture.hpp"
#include "log_capture.hpp"
#include "webhook_guard.hpp"

namespace switchboard::crm::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kSecret = "0123456789abcdef-webhook";

sdk::TimestampMs nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class CrmWebhook : public CrmFixture {
 protected:
  void SetUp() override {
    CrmFixture::SetUp();
    ASSERT_TRUE(startPlugin(yaml(std::string("mapping:\n  name: name\n  phone: phone\n  fields.plan: plan\n"
                                             "webhook:\n  enabled: true\n  secret: ") +
                                 kSecret + "\n"))
                    .ok());
    settings_.secret = kSecret;
  }

  std::string change(const std::string& key, sdk::TimestampMs at, const nlohmann::json& properties) {
    return nlohmann::json{{"changes", {{{"key", key}, {"updated_at", at}, {"properties", properties}}}}}.dump();
  }
  http::ClientResponse signedPost(const std::string& body) {
    return postWebhook(body, WebhookGuard::sign(settings_, body, nowMs()));
  }

  WebhookSettings settings_;
};

TEST_F(CrmWebhook, GoodSignatureAppliesTheChangeAndNothingEchoesBack) {
  EXPECT_EQ(plugin_->webhookPath(), "/v1/hooks/crm/webhook");
  auto c = addContact("15552220001", "Dana Scully", {{"plan", "silver"}});
  std::vector<sdk::Event> seen;
  std::mutex seenMutex;
  auto tap = bus_.subscribe("contact.", [&](const sdk::Event& e) {
    std::lock_guard lock(seenMutex);
    seen.push_back(e);
  });

  // Later than our last write, even within the same millisecond (an equal time is stale).
  const auto at = std::max(nowMs(), c.updatedAt + 1);
  auto r = signedPost(change("15552220001", at, {{"name", "Dana K. Scully"}, {"plan", "gold"}, {"x", 1}}));
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto report = nlohmann::json::parse(r.body);
  EXPECT_EQ(report["applied"], 1);

  auto after = storage()->getContact(c.id);
  ASSERT_TRUE(after.ok() && after.value());
  EXPECT_EQ(after.value()->name, "Dana K. Scully");
  EXPECT_EQ(after.value()->fields.at("plan"), "gold");

  // The change is announced on the bus (marked as ours)...
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(seenMutex);
    return !seen.empty();
  }));
  sdk::Event announced;
  {
    std::lock_guard lock(seenMutex);
    announced = seen[0];
  }
  EXPECT_EQ(announced.type, "contact.updated");
  EXPECT_EQ(announced.subject, c.id);
  EXPECT_EQ(announced.attributes.at("origin"), "crm");
  EXPECT_EQ(announced.attributes.at("changed"), "fields.plan,name");
  // ...and neither it, nor the same change announced by another component, goes back to the CRM.
  sdk::Event fromElsewhere = contactEvent("contact.updated", *after.value());
  ASSERT_TRUE(event(fromElsewhere).ok());
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(crm_->requestCount(), 0u);
  EXPECT_EQ(pendingItems(), 0u);

  // The CRM echoing the values back (its own change notification) changes nothing.
  auto echo = signedPost(change("15552220001", nowMs() + 1000, {{"name", "Dana K. Scully"}, {"plan", "gold"}}));
  ASSERT_EQ(echo.status, 200u);
  EXPECT_EQ(nlohmann::json::parse(echo.body)["unchanged"], 1);
}

TEST_F(CrmWebhook, BadSignatureIsRefusedAndNothingApplied) {
  auto c = addContact("15552220002", "Fox Mulder");
  const auto body = change("15552220002", nowMs(), {{"name", "Hacked"}});
  WebhookSettings wrong = settings_;
  wrong.secret = "not-the-shared-secret!";
  auto r = postWebhook(body, WebhookGuard::sign(wrong, body, nowMs()));
  EXPECT_EQ(r.status, 401u);
  EXPECT_NE(r.body.find("crm.webhook_signature"), std::string::npos);

  // A body altered after signing.
  auto headers = WebhookGuard::sign(settings_, body, nowMs());
  r = postWebhook(change("15552220002", nowMs(), {{"name", "Hacked too"}}), headers);
  EXPECT_EQ(r.status, 401u);

  r = postWebhook(body, {});
  EXPECT_EQ(r.status, 401u);
  EXPECT_NE(r.body.find("crm.webhook_unsigned"), std::string::npos);

  auto after = storage()->getContact(c.id);
  ASSERT_TRUE(after.ok() && after.value());
  EXPECT_EQ(after.value()->name, "Fox Mulder");
}

TEST_F(CrmWebhook, ReplayIsRefused) {
  auto c = addContact("15552220003", "Walter Skinner");
  const auto body = change("15552220003", nowMs(), {{"name", "W. S. Skinner"}});
  const auto headers = WebhookGuard::sign(settings_, body, nowMs());
  EXPECT_EQ(postWebhook(body, headers).status, 200u);
  // Meanwhile our side changes the contact; a replay must not undo that.
  auto current = storage()->getContact(c.id).value().value();
  current.name = "Walter S. Skinner";
  ASSERT_TRUE(storage()->upsertContact(current).ok());
  auto replay = postWebhook(body, headers);
  EXPECT_EQ(replay.status, 409u);
  EXPECT_NE(replay.body.find("crm.webhook_replay"), std::string::npos);
  EXPECT_EQ(storage()->getContact(c.id).value()->name, "Walter S. Skinner");

  // An old signed call (outside the allowed skew) is refused even if never seen.
  const auto old = nowMs() - 10 * 60 * 1000;
  auto stale = postWebhook(body, WebhookGuard::sign(settings_, body, old));
  EXPECT_EQ(stale.status, 401u);
  EXPECT_NE(stale.body.find("crm.webhook_stale"), std::string::npos);
}

TEST_F(CrmWebhook, RefusedCallsAreLoggedAndChangeNothing) {
  LogCapture log("plugin.crm");
  auto c = addContact("15552220006", "John Doggett");
  std::atomic<int> announced{0};
  auto tap = bus_.subscribe("contact.", [&](const sdk::Event&) { ++announced; });
  const auto body = change("15552220006", nowMs(), {{"name", "Forged"}});
  WebhookSettings wrong = settings_;
  wrong.secret = "someone-else's-secret";
  EXPECT_EQ(postWebhook(body, WebhookGuard::sign(wrong, body, nowMs())).status, 401u);
  EXPECT_EQ(postWebhook(body, {}).status, 401u);
  const auto headers = WebhookGuard::sign(settings_, body, nowMs());
  auto forged = change("15552220006", nowMs(), {{"name", "Forged"}, {"plan", "platinum"}});
  EXPECT_EQ(postWebhook(forged, headers).status, 401u);  // a good signature on another body

  EXPECT_EQ(log.count({"CRM webhook refused", "crm.webhook_signature"}), 2u);
  EXPECT_EQ(log.count({"CRM webhook refused", "crm.webhook_unsigned"}), 1u);
  // Nothing applied, announced or queued for the CRM.
  EXPECT_EQ(storage()->getContact(c.id).value()->name, "John Doggett");
  EXPECT_EQ(storage()->getContact(c.id).value()->fields.count("plan"), 0u);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(announced.load(), 0);
  EXPECT_EQ(pendingItems(), 0u);
  EXPECT_EQ(crm_->requestCount(), 0u);

  // The genuine call goes through once; its replay is refused and logged.
  EXPECT_EQ(postWebhook(body, headers).status, 200u);
  EXPECT_EQ(postWebhook(body, headers).status, 409u);
  EXPECT_EQ(log.count({"CRM webhook refused", "crm.webhook_replay"}), 1u);
}

TEST_F(CrmWebhook, ReplayIsRefusedAfterAPluginRestart) {
  auto c = addContact("15552220007", "Jeffrey Spender");
  const auto body = change("15552220007", nowMs(), {{"name", "J. Spender"}});
  const auto headers = WebhookGuard::sign(settings_, body, nowMs());
  ASSERT_EQ(postWebhook(body, headers).status, 200u);
  // Our side changes the contact; the host restarts; the same call comes again within the window.
  auto current = storage()->getContact(c.id).value().value();
  current.name = "Jeffrey Spender";
  ASSERT_TRUE(storage()->upsertContact(current).ok());
  stopPlugin();
  ASSERT_TRUE(startPlugin(yaml(std::string("mapping:\n  name: name\n  phone: phone\n  fields.plan: plan\n"
                                           "webhook:\n  enabled: true\n  secret: ") +
                               kSecret + "\n"))
                  .ok());
  auto replay = postWebhook(body, headers);
  EXPECT_EQ(replay.status, 409u) << replay.body;
  EXPECT_NE(replay.body.find("crm.webhook_replay"), std::string::npos);
  EXPECT_EQ(storage()->getContact(c.id).value()->name, "Jeffrey Spender");
}

TEST_F(CrmWebhook, LastWriterByTimestampWins) {
  auto c = addContact("15552220004", "Monica Reyes");
  // The CRM's change happened before our last update: ours stands.
  auto older = signedPost(change("15552220004", c.updatedAt - 1, {{"name", "Older CRM value"}}));
  ASSERT_EQ(older.status, 200u);
  EXPECT_EQ(nlohmann::json::parse(older.body)["stale"], 1);
  EXPECT_EQ(storage()->getContact(c.id).value()->name, "Monica Reyes");
  // A later one wins.
  auto newer = signedPost(change("15552220004", c.updatedAt + 1, {{"name", "Newer CRM value"}}));
  ASSERT_EQ(newer.status, 200u);
  EXPECT_EQ(nlohmann::json::parse(newer.body)["applied"], 1);
  EXPECT_EQ(storage()->getContact(c.id).value()->name, "Newer CRM value");
  // Unknown contacts are reported, not created.
  auto unknown = signedPost(change("15559999999", nowMs(), {{"name", "Nobody"}}));
  EXPECT_EQ(nlohmann::json::parse(unknown.body)["unknown"], 1);
}

TEST_F(CrmWebhook, MalformedBodiesAreRefused) {
  for (const std::string& body : {std::string("not json"), std::string("{\"changes\":{}}"),
                                 std::string("{\"changes\":[{\"key\":\"1\",\"properties\":{}}]}"),
                                 std::string("{\"changes\":[{\"key\":\"1\",\"updated_at\":1,\"properties\":[]}]}")}) {
    auto r = signedPost(body);
    EXPECT_EQ(r.status, 400u) << body;
    EXPECT_NE(r.body.find("crm.webhook_body"), std::string::npos) << body;
  }
}

TEST_F(CrmWebhook, RouteGoesAwayWithThePlugin) {
  stopPlugin();
  const auto body = change("15552220005", nowMs(), {{"name", "x"}});
  EXPECT_EQ(postWebhook(body, WebhookGuard::sign(settings_, body, nowMs())).status, 404u);
  EXPECT_EQ(services_->httpRoutes->size(), 0u);
}

}  // namespace
}  // namespace switchboard::crm::test
