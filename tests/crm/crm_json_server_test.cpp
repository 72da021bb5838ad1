// The plugin against json-server (npm), a REST server no one here wrote, on loopback: the rest
// target's request shapes configured to json-server's routes (PUT /contacts/<phone> updates, a 404
// there creates with POST /contacts, notes and activities POSTed to the nested routes), asserted on
// json-server's own data. Covers create, update, tags, notes, closings; the server stopped and
// started (retries, order kept); dead letters (json-server's 500 for a duplicate id, retried then
// given up; its 404 for an unknown route, at once); changes queued while the CRM is down delivered
// after the plugin's host restarts; and a webhook change applied without being echoed back.
//
// Run through run_json_server_test.sh, which points SB_NODE and SB_JSON_SERVER at node and
// tests/node's json-server.

#include <gtest/gtest.h>

#include <algorithm>

#include "crm_fixture.hpp"
#include "json_server.hpp"
#include "webhook_guard.hpp"

namespace switchboard::crm::test {
namespace {

using namespace std::chrono_literals;

// json-server's routes as the rest target's shapes.
constexpr const char* kShapes =
    "rest:\n"
    "  contact_method: PUT\n"
    "  contact_path: /contacts/{key}\n"
    "  key_field: id\n"
    "  create_method: POST\n"
    "  create_path: /contacts\n"
    "  note_path: /contacts/{key}/notes\n"
    "  activity_path: /contacts/{key}/activities\n";

class CrmJsonServer : public CrmFixture {
 protected:
  void SetUp() override {
    CrmFixture::SetUp();
    const auto node = JsonServer::nodeFromEnv();
    const auto cli = JsonServer::cliFromEnv();
    ASSERT_FALSE(node.empty() || cli.empty()) << "SB_NODE and SB_JSON_SERVER must name node and json-server's "
                                                 "bin script (run through run_json_server_test.sh)";
    server_ = std::make_unique<JsonServer>(node, cli, dir_ / "crm.json",
                                           std::initializer_list<const char*>{"contacts", "notes", "activities"});
    auto s = server_->start();
    ASSERT_TRUE(s.ok()) << s.error().describe();
  }
  void TearDown() override {
    stopPlugin();  // before the server goes: no request of the plugin outlives it
    server_.reset();
    CrmFixture::TearDown();
  }

  std::string config(const std::string& extra = "", int maxAttempts = 50, const char* shapes = kShapes) const {
    return "base_url: " + server_->baseUrl() +
           "\n"
           "timeout: 3s\n"
           "mapping:\n"
           "  name: name\n"
           "  phone: phone\n"
           "  tags: tags\n"
           "  fields.plan: plan\n"
           "retry:\n"
           "  max_attempts: " +
           std::to_string(maxAttempts) +
           "\n"
           "  initial_backoff: 50ms\n"
           "  max_backoff: 200ms\n" +
           shapes + extra;
  }

  /// json-server's record of the contact `key`, or null when it has none.
  nlohmann::json crmContact(const std::string& key) {
    auto held = server_->get("/contacts/" + key);  // json-server answers 404 for an unknown id
    return held.ok() ? held.value() : nlohmann::json();
  }
  nlohmann::json collection(const std::string& path) {
    auto j = server_->get(path);
    EXPECT_TRUE(j.ok()) << j.error().describe();
    return j.ok() ? j.value() : nlohmann::json::array();
  }
  sdk::Event note(const sdk::Contact& c, const std::string& text) {
    auto e = contactEvent("contact.note", c);
    e.attributes["note"] = text;
    e.attributes["author"] = "agent-3";
    return e;
  }
  sdk::Contact rename(sdk::Contact c, const std::string& name) {
    c.name = name;
    auto stored = storage()->upsertContact(c);
    EXPECT_TRUE(stored.ok()) << stored.error().describe();
    return stored.value();
  }

  std::unique_ptr<JsonServer> server_;
};

TEST_F(CrmJsonServer, CreateUpdateTagsNotesAndClosings) {
  ASSERT_TRUE(startPlugin(config()).ok());
  auto c = addContact("15554440001", "Ada Lovelace", {{"plan", "gold"}});
  ASSERT_TRUE(event(contactEvent("contact.created", c)).ok());
  ASSERT_TRUE(eventually([&] { return !crmContact("15554440001").is_null(); })) << "the contact never reached json-server";
  auto held = crmContact("15554440001");
  EXPECT_EQ(held["name"], "Ada Lovelace");
  EXPECT_EQ(held["phone"], "15554440001");
  EXPECT_EQ(held["plan"], "gold");
  EXPECT_EQ(held["tags"], nlohmann::json::array({"lead"}));

  // An update replaces the record in place (PUT): still one contact, the new name.
  c = rename(c, "Ada King");
  ASSERT_TRUE(event(contactEvent("contact.updated", c)).ok());
  ASSERT_TRUE(eventually([&] { return crmContact("15554440001")["name"] == "Ada King"; }));
  EXPECT_EQ(collection("/contacts").size(), 1u);

  c.tags = {"lead", "vip"};
  c = storage()->upsertContact(c).value();
  ASSERT_TRUE(event(contactEvent("contact.tags", c)).ok());
  ASSERT_TRUE(eventually([&] { return crmContact("15554440001")["tags"] == nlohmann::json::array({"lead", "vip"}); }));

  ASSERT_TRUE(event(note(c, "Asked for the analytical engine manual")).ok());
  ASSERT_TRUE(eventually([&] { return collection("/contacts/15554440001/notes").size() == 1; }));
  const auto notes = collection("/contacts/15554440001/notes");
  EXPECT_EQ(notes[0]["text"], "Asked for the analytical engine manual");
  EXPECT_EQ(notes[0]["author"], "agent-3");
  EXPECT_EQ(notes[0]["contactId"], "15554440001");  // json-server's link from the nested route

  const auto conversation = addConversation(c);
  sdk::Event closed;
  closed.type = "conversation.closed";
  closed.conversation = conversation;
  closed.attributes = {{"summary", "Manual sent"}};
  ASSERT_TRUE(event(closed).ok());
  ASSERT_TRUE(eventually([&] { return collection("/contacts/15554440001/activities").size() == 1; }));
  const auto activity = collection("/contacts/15554440001/activities")[0];
  EXPECT_EQ(activity["type"], "conversation.closed");
  EXPECT_EQ(activity["summary"], "Manual sent");
  EXPECT_EQ(activity["conversation"], conversation);

  EXPECT_TRUE(eventually([&] { return pendingItems() == 0; }));
  EXPECT_TRUE(deadLetters().empty());
}

TEST_F(CrmJsonServer, ServerStoppedThenStartedGetsEverythingInOrder) {
  ASSERT_TRUE(startPlugin(config()).ok());
  server_->stop();
  auto a = addContact("15554440011", "Grace Hopper");
  auto b = addContact("15554440012", "Alan Turing");
  ASSERT_TRUE(event(contactEvent("contact.created", a)).ok());
  ASSERT_TRUE(event(note(a, "first")).ok());
  ASSERT_TRUE(event(contactEvent("contact.created", b)).ok());
  ASSERT_TRUE(event(note(a, "second")).ok());
  a = rename(a, "Rear Admiral Hopper");
  ASSERT_TRUE(event(contactEvent("contact.updated", a)).ok());
  ASSERT_TRUE(event(note(a, "third")).ok());
  // Attempts fail (connection refused) and are retried; nothing is lost meanwhile.
  ASSERT_TRUE(eventually([&] { return metric("crm_deliveries_total", {{"plugin", "crm"}, {"outcome", "failed"}}) >= 3; }));
  EXPECT_EQ(pendingItems(), 6u);
  EXPECT_TRUE(deadLetters().empty());

  ASSERT_TRUE(server_->start().ok());
  ASSERT_TRUE(eventually([&] { return pendingItems() == 0; }, 20s));
  const auto contacts = collection("/contacts");
  ASSERT_EQ(contacts.size(), 2u);
  EXPECT_EQ(contacts[0]["id"], "15554440011");  // created first
  EXPECT_EQ(contacts[1]["id"], "15554440012");
  EXPECT_EQ(contacts[0]["name"], "Rear Admiral Hopper");
  const auto notes = collection("/contacts/15554440011/notes");
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_EQ(notes[0]["text"], "first");
  EXPECT_EQ(notes[1]["text"], "second");
  EXPECT_EQ(notes[2]["text"], "third");
  EXPECT_TRUE(deadLetters().empty());
}

TEST_F(CrmJsonServer, ServerErrorsAreRetriedThenDeadLetteredAndTheQueueMovesOn) {
  // Upserts as plain POSTs: json-server answers a second POST of the same id with a 500
  // ("Insert failed, duplicate id"), which is retried like any 5xx, then given up.
  const char* postOnly =
      "rest:\n"
      "  contact_method: POST\n"
      "  contact_path: /contacts\n"
      "  key_field: id\n";
  ASSERT_TRUE(startPlugin(config("", 3, postOnly)).ok());
  auto c = addContact("15554440021", "Katherine Johnson");
  ASSERT_TRUE(event(contactEvent("contact.created", c)).ok());
  ASSERT_TRUE(eventually([&] { return !crmContact("15554440021").is_null(); }));
  c = rename(c, "Katherine G. Johnson");
  ASSERT_TRUE(event(contactEvent("contact.updated", c)).ok());
  auto other = addContact("15554440022", "Dorothy Vaughan");
  ASSERT_TRUE(event(contactEvent("contact.created", other)).ok());

  ASSERT_TRUE(eventually([&] { return deadLetters().size() == 1; }));
  const auto dead = deadLetters()[0];
  EXPECT_EQ(dead.item.event, "contact.updated");
  EXPECT_EQ(dead.item.attempts, 3);
  EXPECT_NE(dead.reason.find("gave up after 3 attempts"), std::string::npos) << dead.reason;
  EXPECT_NE(dead.reason.find("HTTP 500"), std::string::npos) << dead.reason;
  EXPECT_NE(dead.reason.find("duplicate id"), std::string::npos) << dead.reason;  // json-server's own words
  // The item behind it went through; the dead one changed nothing on the server.
  ASSERT_TRUE(eventually([&] { return !crmContact("15554440022").is_null(); }));
  EXPECT_EQ(crmContact("15554440021")["name"], "Katherine Johnson");
  EXPECT_EQ(metric("crm_dead_letters_total", {{"plugin", "crm"}}), 1);
}

TEST_F(CrmJsonServer, UnknownRouteIsDeadLetteredAtOnce) {
  const char* badNotes =
      "rest:\n"
      "  contact_method: PUT\n"
      "  contact_path: /contacts/{key}\n"
      "  key_field: id\n"
      "  create_method: POST\n"
      "  create_path: /contacts\n"
      "  note_path: /no-such-route/{key}\n";
  ASSERT_TRUE(startPlugin(config("", 5, badNotes)).ok());
  auto c = addContact("15554440031", "Mary Jackson");
  ASSERT_TRUE(event(note(c, "lost")).ok());
  ASSERT_TRUE(event(contactEvent("contact.created", c)).ok());
  ASSERT_TRUE(eventually([&] { return deadLetters().size() == 1; }));
  const auto dead = deadLetters()[0];
  EXPECT_EQ(dead.item.event, "contact.note");
  EXPECT_EQ(dead.item.attempts, 1);  // a 4xx is not retried: the same request cannot succeed
  EXPECT_NE(dead.reason.find("HTTP 404 (not retried)"), std::string::npos) << dead.reason;
  ASSERT_TRUE(eventually([&] { return !crmContact("15554440031").is_null(); }));
  EXPECT_TRUE(collection("/notes").empty());
}

TEST_F(CrmJsonServer, ChangesQueuedWhileDownAreDeliveredAfterARestart) {
  ASSERT_TRUE(startPlugin(config()).ok());
  server_->stop();
  std::vector<sdk::Contact> contacts;
  for (int i = 0; i < 5; ++i) {
    contacts.push_back(addContact("1555444010" + std::to_string(i), "Customer " + std::to_string(i)));
    ASSERT_TRUE(event(contactEvent("contact.created", contacts.back())).ok());
    ASSERT_TRUE(event(note(contacts.back(), "note " + std::to_string(i))).ok());
  }
  ASSERT_TRUE(eventually([&] { return metric("crm_deliveries_total", {{"plugin", "crm"}, {"outcome", "failed"}}) >= 1; }));
  EXPECT_EQ(pendingItems(), 10u);

  // The host goes away with everything queued; a new plugin instance on the same database and a
  // CRM that is back deliver all of it.
  stopPlugin();
  ASSERT_TRUE(server_->start().ok());
  EXPECT_TRUE(collection("/contacts").empty());
  ASSERT_TRUE(startPlugin(config()).ok());
  ASSERT_TRUE(eventually([&] { return pendingItems() == 0; }, 20s));
  const auto held = collection("/contacts");
  ASSERT_EQ(held.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(held[static_cast<std::size_t>(i)]["id"], contacts[static_cast<std::size_t>(i)].phone);
    EXPECT_EQ(held[static_cast<std::size_t>(i)]["name"], "Customer " + std::to_string(i));
    const auto notes = collection("/contacts/" + contacts[static_cast<std::size_t>(i)].phone + "/notes");
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0]["text"], "note " + std::to_string(i));
  }
  EXPECT_TRUE(deadLetters().empty());
}

TEST_F(CrmJsonServer, WebhookChangeIsAppliedAndNotEchoedBack) {
  constexpr const char* kSecret = "json-server-webhook-secret";
  ASSERT_TRUE(startPlugin(config(std::string("webhook:\n  enabled: true\n  secret: ") + kSecret + "\n")).ok());
  auto c = addContact("15554440041", "Hedy Lamarr", {{"plan", "silver"}});
  ASSERT_TRUE(event(contactEvent("contact.created", c)).ok());
  ASSERT_TRUE(eventually([&] { return crmContact("15554440041")["plan"] == "silver"; }));
  ASSERT_TRUE(eventually([&] { return pendingItems() == 0; }));

  // The CRM reports its own change (as json-server's record now holds it).
  const auto now = std::max<sdk::TimestampMs>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::system_clock::now().time_since_epoch())
                                                  .count(),
                                              c.updatedAt + 1);  // after our last write
  const auto body =
      nlohmann::json{{"changes", {{{"key", "15554440041"}, {"updated_at", now}, {"properties", {{"plan", "gold"}}}}}}}
          .dump();
  WebhookSettings signing;
  signing.secret = kSecret;
  auto r = postWebhook(body, WebhookGuard::sign(signing, body, now));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body)["applied"], 1);
  EXPECT_EQ(storage()->getContact(c.id).value()->fields.at("plan"), "gold");

  // Nothing goes back: the plugin's own contact.updated is ignored, and anyone else's
  // announcement of the same change finds the CRM already holding it.
  auto e = contactEvent("contact.updated", storage()->getContact(c.id).value().value());
  ASSERT_TRUE(event(e).ok());
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(pendingItems(), 0u);
  EXPECT_EQ(crmContact("15554440041")["plan"], "silver");  // json-server was not written to again
  // One call delivered: the create that followed the upsert's 404.
  EXPECT_EQ(metric("crm_deliveries_total", {{"plugin", "crm"}, {"outcome", "delivered"}}), 1);
}

}  // namespace
}  // namespace switchboard::crm::test
