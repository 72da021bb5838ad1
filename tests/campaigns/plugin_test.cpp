// The campaigns plugin on a real SQLite store with the host's plugin context: every recipient of
// a segment reached exactly once at the configured pace, across a restart and a pause; opt-out by
// stop word confirmed once and honoured by later campaigns; command results, receipts and replies
// moving the funnel; an A/B campaign whose replies make a winner.

#include <set>

#include "campaign_fixture.hpp"
#include "recipient.hpp"
#include "storage/tenancy.hpp"
#include "switchboard/sdk/quotas.hpp"

namespace switchboard::campaigns::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

json definition(const std::string& id, double perMinute, std::vector<std::string> accounts = {"15559990001"}) {
  return {{"id", id},
          {"text", "Hello {{contact.name}}, {{offer}}"},
          {"params", {{"offer", "20% off"}}},
          {"segment", {{"tags", {"promo"}}}},
          {"accounts", accounts},
          {"pacing", {{"per_minute", perMinute}}}};
}

class CampaignPluginTest : public CampaignFixture {};

TEST_F(CampaignPluginTest, ReachesEveryContactOnceAtTheConfiguredRate) {
  auto promo = addContacts(40, {"promo"});
  addContacts(5, {"promo"}, /*optedIn=*/false, 100);
  addContacts(3, {"other"}, true, 200);
  ASSERT_TRUE(startPlugin().ok());
  // 600 a minute per account: one every 100 ms on each of two accounts.
  call(plugin_->create(definition("spring", 600, {"15559990001", "15559990002"}), /*schedule=*/true));
  ASSERT_TRUE(runUntil([&] { return state("spring") == "completed"; }, 20s)) << state("spring");

  auto sent = storedCommands("cmp:spring:1:");
  ASSERT_EQ(sent.size(), 40u);
  std::set<std::string> phones;
  for (const auto& [id, cmd] : sent) {
    phones.insert(cmd.to);
    EXPECT_TRUE(cmd.automatic);
    EXPECT_EQ(cmd.origin, "campaign:spring:main");
    EXPECT_EQ(cmd.text.rfind("Hello Contact ", 0), 0u) << cmd.text;
    EXPECT_NE(cmd.text.find("20% off"), std::string::npos);
  }
  for (const auto& c : promo) {
    EXPECT_EQ(phones.count(c.phone), 1u) << c.phone;
    EXPECT_EQ(sent.count(commandIdFor("spring", 1, c.id)), 1u);
  }
  // Pacing, measured per account: no gap under the configured 100 ms.
  std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> times;
  for (const auto& s : outbound_.submissions) {
    times[s.command.account].push_back(s.at);
  }
  ASSERT_EQ(times.size(), 2u);
  for (const auto& [account, ts] : times) {
    ASSERT_GE(ts.size(), 10u);
    for (std::size_t i = 1; i < ts.size(); ++i) {
      EXPECT_GE(std::chrono::duration_cast<std::chrono::milliseconds>(ts[i] - ts[i - 1]).count(), 95) << account;
    }
    const double seconds = std::chrono::duration<double>(ts.back() - ts.front()).count();
    const double perMinute = 60.0 * static_cast<double>(ts.size() - 1) / seconds;
    EXPECT_LE(perMinute, 600.0 * 1.02) << account;
    EXPECT_GE(perMinute, 600.0 * 0.5) << account;  // and not needlessly slow
  }
  auto report = call(plugin_->report("spring", "reply", 0));
  EXPECT_EQ(report["variants"][0]["messaged"], 40);
}

TEST_F(CampaignPluginTest, RestartMidwayNeverSendsTwice) {
  auto contacts = addContacts(30, {"promo"});
  ASSERT_TRUE(startPlugin().ok());
  call(plugin_->create(definition("crash", 1200), true));  // one every 50 ms
  ASSERT_TRUE(runUntil([&] { return outbound_.storedCount() >= 12; }, 20s));
  stopPlugin();  // as if killed: only what was stored survives
  const int before = outbound_.storedCount();
  ASSERT_LT(before, 30);
  // Crash between submitting and recording: put some sent recipients back to pending.
  CampaignStore store(storage(), "campaigns");
  int rewound = 0;
  for (const auto& c : contacts) {
    auto r = store.recipient("crash", 1, c.id);
    ASSERT_TRUE(r.ok() && r.value());
    if (r.value()->status == Status::Queued && rewound < 5) {
      auto back = *r.value();
      back.status = Status::Pending;
      ASSERT_TRUE(store.putRecipient("crash", 1, back).ok());
      ++rewound;
    }
  }
  ASSERT_EQ(rewound, 5);

  ASSERT_TRUE(startPlugin().ok());
  ASSERT_TRUE(runUntil([&] { return state("crash") == "completed"; }, 20s)) << state("crash");
  auto sent = storedCommands("cmp:crash:1:");
  EXPECT_EQ(sent.size(), 30u);  // each contact exactly once
  int resubmitted = 0;
  for (const auto& s : outbound_.submissions) {
    resubmitted += s.inserted ? 0 : 1;
  }
  EXPECT_EQ(resubmitted, 5);  // the rewound ones went to the outbound path again, and were dropped there
  auto report = call(plugin_->report("crash", "reply", 0));
  EXPECT_EQ(report["variants"][0]["messaged"], 30);
  EXPECT_EQ(report["variants"][0]["pending"], 0);
}

TEST_F(CampaignPluginTest, PauseResumeAndCancel) {
  addContacts(30, {"promo"});
  ASSERT_TRUE(startPlugin().ok());
  call(plugin_->create(definition("pausing", 1200), false));
  EXPECT_EQ(state("pausing"), "draft");
  runFor(200ms);
  EXPECT_EQ(outbound_.submissions.size(), 0u);  // a draft sends nothing
  EXPECT_FALSE(plugin_->act("pausing", Action::Resume).ok());
  call(plugin_->act("pausing", Action::Schedule));
  ASSERT_TRUE(runUntil([&] { return outbound_.submissions.size() >= 5; }, 10s));
  call(plugin_->act("pausing", Action::Pause));
  EXPECT_EQ(state("pausing"), "paused");
  const auto atPause = outbound_.submissions.size();
  runFor(500ms);
  EXPECT_EQ(outbound_.submissions.size(), atPause);
  // A restart while paused keeps it paused.
  stopPlugin();
  ASSERT_TRUE(startPlugin().ok());
  runFor(300ms);
  EXPECT_EQ(state("pausing"), "paused");
  EXPECT_EQ(outbound_.submissions.size(), atPause);
  call(plugin_->act("pausing", Action::Resume));
  ASSERT_TRUE(runUntil([&] { return outbound_.submissions.size() >= atPause + 5; }, 10s));
  call(plugin_->act("pausing", Action::Cancel));
  const auto atCancel = outbound_.submissions.size();
  runFor(400ms);
  EXPECT_EQ(outbound_.submissions.size(), atCancel);
  EXPECT_EQ(state("pausing"), "cancelled");
  auto refused = plugin_->act("pausing", Action::Resume);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "campaign.bad_transition");
  EXPECT_EQ(storedCommands("cmp:pausing:1:").size(), atCancel);
}

TEST_F(CampaignPluginTest, EditsBetweenRunsOnly) {
  addContacts(20, {"promo"});
  ASSERT_TRUE(startPlugin().ok());
  call(plugin_->create(definition("edited", 1200), false));
  auto changed = definition("edited", 1200);
  changed["text"] = "Second draft for {{contact.name}}";
  call(plugin_->update(changed));
  call(plugin_->act("edited", Action::Schedule));
  ASSERT_TRUE(runUntil([&] { return outbound_.storedCount() >= 2; }, 10s));
  auto refused = plugin_->update(definition("edited", 60));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "campaign.bad_transition");
  EXPECT_EQ(plugin_->update(definition("unknown", 60)).error().code, "campaign.not_found");
  ASSERT_TRUE(runUntil([&] { return state("edited") == "completed"; }, 10s));
  auto sent = storedCommands("cmp:edited:1:");
  ASSERT_EQ(sent.size(), 20u);
  for (const auto& [id, cmd] : sent) {
    EXPECT_EQ(cmd.text.rfind("Second draft for Contact ", 0), 0u) << cmd.text;
  }
  // The stored definition is the edited one after a restart.
  stopPlugin();
  ASSERT_TRUE(startPlugin().ok());
  EXPECT_EQ(call(plugin_->describe("edited"))["definition"]["variants"][0]["text"], "Second draft for {{contact.name}}");
}

TEST_F(CampaignPluginTest, DailyRecipientQuotaHoldsTheRest) {
  addContacts(12, {"promo"});
  auto tenancy = host::Tenancy::of(store_);
  ASSERT_TRUE(tenancy.ok()) << tenancy.error().describe();
  auto set = (*tenancy)->setQuota(sdk::kDefaultTenant, sdk::quota::kCampaignRecipientsPerDay, 5);
  ASSERT_TRUE(set.ok()) << set.error().describe();
  ASSERT_TRUE(startPlugin().ok());
  call(plugin_->create(definition("quota", 6000), true));
  ASSERT_TRUE(runUntil([&] { return outbound_.storedCount() >= 5; }, 10s));
  runFor(600ms);
  EXPECT_EQ(storedCommands("cmp:quota:1:").size(), 5u);  // the rest wait for tomorrow's quota
  EXPECT_EQ(state("quota"), "running");
  auto report = call(plugin_->report("quota", "reply", 0));
  EXPECT_EQ(report["variants"][0]["pending"], 7);
}

TEST_F(CampaignPluginTest, StopWordOptsOutOnceAndEveryCampaignHonoursIt) {
  auto contacts = addContacts(6, {"promo"});
  ASSERT_TRUE(startPlugin().ok());
  const auto& quitter = contacts[2];
  ASSERT_TRUE(receive(quitter.phone, "Stop!").ok());
  ASSERT_TRUE(receive(quitter.phone, "STOP").ok());  // confirmed once only
  auto confirmations = storedCommands("cmp-optout:");
  ASSERT_EQ(confirmations.size(), 1u);
  EXPECT_EQ(confirmations.begin()->second.text.rfind("You will get no more messages", 0), 0u);
  auto status = call(plugin_->optOutStatus(quitter.id));
  EXPECT_EQ(status["opted_out"], true);
  EXPECT_EQ(status["source"], "stop_word");
  EXPECT_EQ(status["detail"], "stop");
  EXPECT_EQ(status["confirmations"], 1);
  EXPECT_FALSE(storage()->getContact(quitter.id).value()->optedIn);

  // Even a campaign that does not ask for opted-in contacts skips them.
  auto def = definition("everyone", 6000);
  def["segment"]["opted_in_only"] = false;
  call(plugin_->create(def, true));
  ASSERT_TRUE(runUntil([&] { return state("everyone") == "completed"; }, 10s));
  auto sent = storedCommands("cmp:everyone:1:");
  EXPECT_EQ(sent.size(), 5u);
  EXPECT_EQ(sent.count(commandIdFor("everyone", 1, quitter.id)), 0u);
  auto report = call(plugin_->report("everyone", "reply", 0));
  EXPECT_EQ(report["variants"][0]["suppressed"], 1);

  // A contact who opts out while a campaign is under way is skipped from then on.
  call(plugin_->create(definition("slow", 600), true));
  ASSERT_TRUE(runUntil([&] { return outbound_.storedCount() >= 7; }, 10s));  // 1 confirmation + 5 + first of "slow"
  // Recipients go in contact id order: the greatest id is the last one sent.
  sdk::Contact late = contacts[0];
  for (const auto& c : contacts) {
    if (c.id != quitter.id && c.id > late.id) {
      late = c;
    }
  }
  ASSERT_EQ(storedCommands("cmp:slow:1:").count(commandIdFor("slow", 1, late.id)), 0u);
  call(plugin_->setOptOut(late.id, true, "admin", "by phone"));
  ASSERT_TRUE(runUntil([&] { return state("slow") == "completed"; }, 10s));
  EXPECT_EQ(storedCommands("cmp:slow:1:").count(commandIdFor("slow", 1, late.id)), 0u);
  EXPECT_EQ(call(plugin_->optOutStatus(late.id))["source"], "admin");

  // START opts back in, with its source.
  ASSERT_TRUE(receive(quitter.phone, "start").ok());
  status = call(plugin_->optOutStatus(quitter.id));
  EXPECT_EQ(status["opted_out"], false);
  EXPECT_EQ(status["source"], "keyword");
  EXPECT_TRUE(storage()->getContact(quitter.id).value()->optedIn);
}

TEST_F(CampaignPluginTest, ResultsReceiptsAndRepliesMoveTheFunnel) {
  auto contacts = addContacts(4, {"promo"});
  ASSERT_TRUE(startPlugin().ok());
  call(plugin_->create(definition("funnel", 6000), true));
  ASSERT_TRUE(runUntil([&] { return state("funnel") == "completed"; }, 10s));
  const auto id = [&](int i) { return commandIdFor("funnel", 1, contacts[static_cast<std::size_t>(i)].id); };
  result(id(0), "sent", "N0");
  result(id(0), "delivered", "N0");
  result(id(1), "sent", "N1");
  result(id(1), "read", "N1");
  result(id(1), "delivered", "N1");  // late and out of order: no step back
  result(id(2), "failed");
  result("cmp:funnel:1:ct_unknown", "read");  // not a recipient: ignored
  ASSERT_TRUE(receive(contacts[1].phone, "Sounds good, tell me more").ok());
  auto report = call(plugin_->report("funnel", "reply", 0));
  const auto& v = report["variants"][0];
  EXPECT_EQ(v["messaged"], 4);
  EXPECT_EQ(v["sent"], 2);
  EXPECT_EQ(v["delivered"], 2);
  EXPECT_EQ(v["read"], 1);
  EXPECT_EQ(v["replied"], 1);
  EXPECT_EQ(v["failed"], 1);
  EXPECT_EQ(v["statuses"]["queued"], 1);
  EXPECT_DOUBLE_EQ(v["reply_rate"].get<double>(), 0.25);
}

TEST_F(CampaignPluginTest, AbVariantsAndTheWinnerFromReplies) {
  auto contacts = addContacts(120, {"promo"});
  ASSERT_TRUE(startPlugin().ok());
  auto def = definition("ab", 60'000);
  def["variants"] = {{{"name", "A"}, {"text", "Offer A for {{contact.name}}"}},
                     {{"name", "B"}, {"text", "Offer B for {{contact.name}}"}}};
  call(plugin_->create(def, true));
  ASSERT_TRUE(runUntil([&] { return state("ab") == "completed"; }, 20s));
  auto sent = storedCommands("cmp:ab:1:");
  ASSERT_EQ(sent.size(), 120u);
  int a = 0, repliedA = 0, repliedB = 0;
  auto c = parseCampaign(def).value();
  for (const auto& contact : contacts) {
    const auto& cmd = sent.at(commandIdFor("ab", 1, contact.id));
    const bool isA = variantFor(c, contact.id).name == "A";
    a += isA ? 1 : 0;
    EXPECT_EQ(cmd.text.rfind(isA ? "Offer A" : "Offer B", 0), 0u);
    // Every second A recipient answers, no B recipient does.
    if (isA && a % 2 == 0) {
      ASSERT_TRUE(receive(contact.phone, "yes please").ok());
      ++repliedA;
    }
  }
  ASSERT_GT(a, 30);
  ASSERT_LT(a, 90);
  auto report = call(plugin_->report("ab", "reply", 0));
  EXPECT_EQ(report["variants"][0]["replied"], repliedA);
  EXPECT_EQ(report["variants"][1]["replied"], repliedB);
  EXPECT_DOUBLE_EQ(report["variants"][0]["reply_rate"].get<double>(), static_cast<double>(repliedA) / a);
  EXPECT_EQ(report["winner"], "A");
  EXPECT_LT(report["test"]["p_value"].get<double>(), 0.05);
}

TEST_F(CampaignPluginTest, DefinitionsFromTheConfigurationAndRefusals) {
  addContacts(3, {"promo"});
  const std::string yaml = R"(
campaigns:
  - id: from-yaml
    text: "Hi {{contact.name}}"
    segment: {tags: [promo]}
    accounts: [15559990001]
    pacing: {per_minute: 6000}
  - id: later
    state: draft
    text: "Later"
    accounts: [15559990001]
)";
  ASSERT_TRUE(startPlugin(yaml).ok());
  ASSERT_TRUE(runUntil([&] { return state("from-yaml") == "completed"; }, 10s));
  EXPECT_EQ(storedCommands("cmp:from-yaml:1:").size(), 3u);
  EXPECT_EQ(state("later"), "draft");
  // A restart does not create or run it again.
  ASSERT_TRUE(startPlugin(yaml).ok());
  runFor(300ms);
  EXPECT_EQ(storedCommands("cmp:from-yaml:").size(), 3u);
  auto dup = plugin_->create(definition("from-yaml", 60), false);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, "campaign.exists");
  auto bad = plugin_->create(json{{"id", "x"}}, false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "campaign.invalid");
  EXPECT_EQ(plugin_->describe("nope").error().code, "campaign.not_found");
  EXPECT_EQ(call(plugin_->list())["campaigns"].size(), 2u);
  stopPlugin();
  EXPECT_FALSE(startPlugin("campaigns:\n  - id: broken\n").ok());
}

}  // namespace
}  // namespace switchboard::campaigns::test
