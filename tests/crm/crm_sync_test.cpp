// The CRM sync against a fake CRM over TLS on loopback: upserts and mapping (custom fields, both
// authentication kinds, both upsert keys), notes, tags, closings and assignments, the HubSpot
// shape, 429 with Retry-After, 5xx retried then dead-lettered, 4xx dead-lettered at once, a
// restart mid-delivery and a restart with a backlog.

#include <fstream>

#include "crm_fixture.hpp"
#include "signature.hpp"

namespace switchboard::crm::test {
namespace {

using namespace std::chrono_literals;

class CrmSync : public CrmFixture {};

TEST_F(CrmSync, UpsertsMappedContactWithCustomFieldsAndBearerFromFile) {
  const auto tokenFile = (dir_ / "token").string();
  std::ofstream(tokenFile) << "s3cret-token\n";
  ASSERT_TRUE(startPlugin(yaml("auth:\n  kind: bearer\n  token_file: " + tokenFile +
                               "\nmapping:\n  name: full_name\n  phone: phone\n  tags: labels\n"
                               "  fields.plan: plan_tier\n"))
                  .ok());
  auto c = addContact("15551230001", "Dana Scully", {{"plan", "gold"}, {"unmapped", "x"}});
  ASSERT_TRUE(event(contactEvent("contact.created", c)).ok());
  ASSERT_TRUE(eventually([&] { return crm_->contacts().count("15551230001") == 1; }));
  const auto stored = crm_->contacts().at("15551230001");
  EXPECT_EQ(stored["full_name"], "Dana Scully");
  EXPECT_EQ(stored["phone"], "15551230001");
  EXPECT_EQ(stored["plan_tier"], "gold");
  EXPECT_EQ(stored["labels"], nlohmann::json::array({"lead"}));
  EXPECT_FALSE(stored.contains("unmapped"));
  const auto reqs = crm_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "PUT");
  EXPECT_EQ(reqs[0].path, "/contacts/15551230001");
  // The token file's trailing newline does not reach the header.
  EXPECT_EQ(reqs[0].headers.at("Authorization"), "Bearer s3cret-token");
  EXPECT_TRUE(eventually([&] { return pendingItems() == 0; }));
  EXPECT_EQ(onStrand([&] { return plugin_->outbox()->crmId(c.id).value().value_or(""); }), "1000");

  // A change to the contact goes out as an update of the same key.
  c.name = "Dana K. Scully";
  auto updated = storage()->upsertContact(c);
  ASSERT_TRUE(updated.ok());
  ASSERT_TRUE(event(contactEvent("contact.updated", updated.value())).ok());
  ASSERT_TRUE(eventually([&] { return crm_->contacts().at("15551230001")["full_name"] == "Dana K. Scully"; }));
  // An event for a contact the CRM already holds exactly sends nothing.
  ASSERT_TRUE(event(contactEvent("contact.updated", updated.value())).ok());
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(crm_->requestCount(), 2u);
}

TEST_F(CrmSync, UpsertsByExternalIdWithBasicAuth) {
  const auto passwordFile = (dir_ / "password").string();
  std::ofstream(passwordFile) << "pa55word";
  ASSERT_TRUE(startPlugin(yaml("auth:\n  kind: basic\n  username: sync\n  password_file: " + passwordFile +
                               "\nupsert_by: external_id\nexternal_id_property: sb_id\n"))
                  .ok());
  auto c = addContact("15551230002", "Fox Mulder");
  ASSERT_TRUE(event(contactEvent("contact.created", c)).ok());
  ASSERT_TRUE(eventually([&] { return crm_->contacts().count(c.id) == 1; }));
  EXPECT_EQ(crm_->contacts().at(c.id)["sb_id"], c.id);
  EXPECT_EQ(crm_->requests().at(0).headers.at("Authorization"), "Basic " + toBase64("sync:pa55word"));
}

TEST_F(CrmSync, NotesTagsClosingsAndAssignments) {
  ASSERT_TRUE(startPlugin(yaml()).ok());
  auto c = addContact("15551230003", "Walter Skinner");
  const auto conversation = addConversation(c);

  sdk::Event note = contactEvent("contact.note", c);
  note.attributes["note"] = "Prefers email";
  note.attributes["author"] = "agent-7";
  ASSERT_TRUE(event(note).ok());

  c.tags = {"lead", "vip"};
  auto tagged = storage()->upsertContact(c);
  ASSERT_TRUE(tagged.ok());
  ASSERT_TRUE(event(contactEvent("contact.tags", tagged.value())).ok());

  sdk::Event assigned;
  assigned.type = "conversation.assigned";
  assigned.conversation = conversation;
  assigned.subject = "agent-7";
  assigned.attributes = {{"agent", "agent-7"}};
  ASSERT_TRUE(event(assigned).ok());

  sdk::Event closed;
  closed.type = "conversation.closed";
  closed.conversation = conversation;
  closed.subject = conversation;
  ASSERT_TRUE(event(closed).ok());

  ASSERT_TRUE(eventually([&] { return crm_->activities().size() == 2; }));
  const auto notes = crm_->notes();
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]["text"], "Prefers email");
  EXPECT_EQ(notes[0]["author"], "agent-7");
  EXPECT_EQ(notes[0]["key"], "15551230003");
  EXPECT_EQ(crm_->contacts().at("15551230003")["tags"], nlohmann::json::array({"lead", "vip"}));
  const auto activities = crm_->activities();
  EXPECT_EQ(activities[0]["type"], "conversation.assigned");
  EXPECT_EQ(activities[0]["agent"], "agent-7");
  EXPECT_EQ(activities[1]["type"], "conversation.closed");
  EXPECT_NE(activities[1]["summary"].get<std::string>().find("customer: Where is my order?"), std::string::npos);
  // In the order they happened.
  const auto reqs = crm_->requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].path, "/contacts/15551230003/notes");
  EXPECT_EQ(reqs[1].path, "/contacts/15551230003");
  EXPECT_EQ(reqs[2].path, "/contacts/15551230003/activities");
}

TEST_F(CrmSync, EventsNotConfiguredAreNotMirrored) {
  ASSERT_TRUE(startPlugin(yaml("events: [contact.note]\n")).ok());
  auto c = addContact("15551230004", "Monica Reyes");
  ASSERT_TRUE(event(contactEvent("contact.created", c)).ok());
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(crm_->requestCount(), 0u);
  EXPECT_EQ(pendingItems(), 0u);
}

TEST_F(CrmSync, HubSpotShapeUpsertsThenAssociatesTheNote) {
  ASSERT_TRUE(startPlugin(yaml("target: hubspot\n")).ok());
  auto c = addContact("15551230005", "John Doggett");
  sdk::Event note = contactEvent("contact.note", c);
  note.attributes["note"] = "Called back";
  ASSERT_TRUE(event(note).ok());
  ASSERT_TRUE(eventually([&] { return crm_->notes().size() == 1; }));
  const auto reqs = crm_->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].path, "/crm/v3/objects/contacts/batch/upsert");
  const auto upsert = nlohmann::json::parse(reqs[0].body);
  EXPECT_EQ(upsert["inputs"][0]["idProperty"], "phone");
  EXPECT_EQ(upsert["inputs"][0]["properties"]["firstname"], "John Doggett");
  EXPECT_EQ(upsert["inputs"][0]["properties"]["switchboard_tags"], "lead");
  EXPECT_EQ(upsert["inputs"][0]["properties"]["switchboard_id"], c.id);
  const auto n = crm_->notes()[0];
  EXPECT_EQ(n["properties"]["hs_note_body"], "Called back");
  EXPECT_EQ(n["associations"][0]["to"]["id"], "1000");
  EXPECT_EQ(n["associations"][0]["types"][0]["associationTypeId"], 202);
  EXPECT_TRUE(eventually([&] { return pendingItems() == 0; }));
}

TEST_F(CrmSync, RateLimitWaitsForRetryAfterWithoutCountingAFailure) {
  // One attempt allowed: a 429 counted as a failure would dead-letter the item.
  ASSERT_TRUE(startPlugin(yaml("", 1)).ok());
  crm_->script({{429, "{}", {{"Retry-After", "1"}}}});
  auto c = addContact("15551230006", "Alex Krycek");
  ASSERT_TRUE(event(contactEvent("contact.created", c)).ok());
  ASSERT_TRUE(eventually([&] { return crm_->contacts().count("15551230006") == 1; }));
  const auto reqs = crm_->requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_GE(reqs[1].at - reqs[0].at, 950ms);
  EXPECT_TRUE(deadLetters().empty());
}

TEST_F(CrmSync, ServerErrorsAreRetriedWithBackoff) {
  ASSERT_TRUE(startPlugin(yaml()).ok());
  crm_->script({{503, "busy", {}}, {502, "bad gateway", {}}});
  auto c = addContact("15551230007", "Jeffrey Spender");
  ASSERT_TRUE(event(contactEvent("contact.created", c)).ok());
  ASSERT_TRUE(eventually([&] { return crm_->contacts().count("15551230007") == 1; }));
  const auto reqs = crm_->requests();
  ASSERT_EQ(reqs.size(), 3u);
  // 50 ms then 100 ms, less at most 20% jitter.
  EXPECT_GE(reqs[1].at - reqs[0].at, 39ms);
  EXPECT_GE(reqs[2].at - reqs[1].at, 79ms);
  EXPECT_TRUE(deadLetters().empty());
}

TEST_F(CrmSync, RepeatedServerErrorsDeadLetterTheItemAndTheQueueMovesOn) {
  ASSERT_TRUE(startPlugin(yaml()).ok());
  crm_->script({{500, "down", {}}, {500, "down", {}}, {500, "still down", {}}});
  auto first = addContact("15551230008", "Marita Covarrubias");
  auto second = addContact("15551230009", "Gibson Praise");
  ASSERT_TRUE(event(contactEvent("contact.created", first)).ok());
  ASSERT_TRUE(event(contactEvent("contact.created", second)).ok());
  ASSERT_TRUE(eventually([&] { return crm_->contacts().count("15551230009") == 1; }));
  EXPECT_EQ(crm_->contacts().count("15551230008"), 0u);
  const auto dead = deadLetters();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].item.contact, first.id);
  EXPECT_EQ(dead[0].item.attempts, 3);
  EXPECT_NE(dead[0].reason.find("3 attempts"), std::string::npos) << dead[0].reason;
  EXPECT_NE(dead[0].reason.find("HTTP 500"), std::string::npos) << dead[0].reason;
  // The CRM has the second contact a moment before the plugin reads its answer and clears the item.
  EXPECT_TRUE(eventually([&] { return pendingItems() == 0u; })) << pendingItems() << " items still pending";
  EXPECT_EQ(metric("crm_dead_letters_total", {{"plugin", "crm"}}), 1);
}

TEST_F(CrmSync, ClientErrorsAreDeadLetteredAtOnce) {
  ASSERT_TRUE(startPlugin(yaml()).ok());
  crm_->script({{422, "{\"message\":\"phone is invalid\"}", {}}});
  auto c = addContact("15551230010", "Brad Follmer");
  ASSERT_TRUE(event(contactEvent("contact.created", c)).ok());
  ASSERT_TRUE(eventually([&] { return deadLetters().size() == 1; }));
  const auto dead = deadLetters();
  EXPECT_EQ(dead[0].item.attempts, 1);
  EXPECT_NE(dead[0].reason.find("HTTP 422"), std::string::npos);
  EXPECT_NE(dead[0].reason.find("phone is invalid"), std::string::npos);
  EXPECT_EQ(crm_->requestCount(), 1u);
}

TEST_F(CrmSync, UnreachableCrmIsRetriedThenDeadLettered) {
  // A port nothing listens on: connection refused is a failure like a 5xx.
  crm_->stop();
  ASSERT_TRUE(startPlugin(yaml()).ok());
  auto c = addContact("15551230011", "Jeffrey Spender");
  ASSERT_TRUE(event(contactEvent("contact.created", c)).ok());
  ASSERT_TRUE(eventually([&] { return deadLetters().size() == 1; }));
  EXPECT_NE(deadLetters()[0].reason.find("http."), std::string::npos) << deadLetters()[0].reason;
}

TEST_F(CrmSync, RestartMidDeliveryResendsThePendingItem) {
  ASSERT_TRUE(startPlugin(yaml()).ok());
  crm_->hold();
  auto c = addContact("15551230012", "Samantha Mulder");
  sdk::Event note = contactEvent("contact.note", c);
  note.attributes["note"] = "Asked for a refund";
  ASSERT_TRUE(event(note).ok());
  ASSERT_EQ(crm_->waitForRequests(1, 5s), 1u);  // in flight, unanswered
  stopPlugin();                                  // the daemon goes down mid-delivery
  crm_->release(false);
  EXPECT_TRUE(crm_->notes().empty());

  ASSERT_TRUE(startPlugin(yaml()).ok());  // a new instance on the same database
  ASSERT_TRUE(eventually([&] { return crm_->notes().size() == 1; }));
  EXPECT_EQ(crm_->notes()[0]["text"], "Asked for a refund");
  const auto reqs = crm_->requests();
  ASSERT_GE(reqs.size(), 2u);
  // The resend carries the same idempotency key, so a CRM that honours it keeps one note.
  EXPECT_EQ(reqs[0].headers.at("Idempotency-Key"), reqs[1].headers.at("Idempotency-Key"));
  EXPECT_TRUE(eventually([&] { return pendingItems() == 0; }));
}

TEST_F(CrmSync, ChangesQueuedWhileTheCrmIsDownAreAllDeliveredAfterARestart) {
  ASSERT_TRUE(startPlugin(yaml("", 100)).ok());
  crm_->script(std::vector<Scripted>(1000, Scripted{503, "maintenance", {}}));
  std::vector<sdk::Contact> contacts;
  for (int i = 0; i < 5; ++i) {
    contacts.push_back(addContact("1555124000" + std::to_string(i), "Customer " + std::to_string(i)));
    ASSERT_TRUE(event(contactEvent("contact.created", contacts.back())).ok());
  }
  ASSERT_GE(crm_->waitForRequests(2, 5s), 2u);
  stopPlugin();
  EXPECT_TRUE(crm_->contacts().empty());
  // The CRM is back (a fresh one, on another port and with its own CA).
  crm_ = std::make_unique<FakeCrm>(io_);
  std::ofstream(caFile_) << crm_->caPem();
  ASSERT_TRUE(startPlugin(yaml("", 100)).ok());
  ASSERT_TRUE(eventually([&] { return crm_->contacts().size() == 5; }));
  for (const auto& c : contacts) {
    EXPECT_EQ(crm_->contacts().at(c.phone)["name"], c.name);
  }
  EXPECT_TRUE(eventually([&] { return pendingItems() == 0; }));
}

}  // namespace
}  // namespace switchboard::crm::test
