// The plugin on a real SQLite store: replies marked automatic with their rule and an id derived
// from the message, the human override (agent commands, replies typed on the phone, across a
// restart), the operator's bot switch, groups and broadcasts, rate limits, two bots facing each
// other, rules stored through the admin API, configuration errors at start, retries.

#include <nlohmann/json.hpp>

#include "plugin_fixture.hpp"

namespace ar = switchboard::autoresponder;
namespace sdk = switchboard::sdk;
using ar::test::PluginFixture;

namespace {

constexpr long kMinute = 60'000;
constexpr long kDay = 86'400'000;

const char* kBasic = R"(
rules:
  - {name: welcome, kind: greeting, returning_after: 30d, continue: true, reply: {text: "Welcome, {{contact.name|there}}!"}}
  - {name: pricing, kind: keyword, keywords: [price], reply: {text: "Plans start at 10 EUR."}}
)";

class AutoresponderPlugin : public PluginFixture {};

}  // namespace

TEST_F(AutoresponderPlugin, GreetsANewConversationOnceAndAReturningOneAgain) {
  ASSERT_TRUE(startPlugin(kBasic).ok());
  ASSERT_TRUE(receive(message("hello")).ok());
  ASSERT_EQ(outbound_.stored.size(), 1u);
  EXPECT_EQ(outbound_.stored[0].text, "Welcome, Dana Scully!");
  now_ += kMinute;
  ASSERT_TRUE(receive(message("anyone there?")).ok());
  EXPECT_EQ(outbound_.stored.size(), 1u) << "the conversation is not new any more";
  now_ += 31 * kDay;
  ASSERT_TRUE(receive(message("hello again, what is the price?")).ok());
  ASSERT_EQ(outbound_.stored.size(), 3u) << "returning after 31 days: greeting, then the keyword answer";
  EXPECT_EQ(outbound_.stored[1].origin, "autoresponder/welcome");
  EXPECT_EQ(outbound_.stored[2].origin, "autoresponder/pricing");
  EXPECT_EQ(metric("autoresponder_replies_total", {{"kind", "greeting"}}), 2);
  EXPECT_EQ(metric("autoresponder_replies_total", {{"kind", "keyword"}}), 1);
}

TEST_F(AutoresponderPlugin, ReplyIsAutomaticWithItsRuleAndAnIdFromTheMessage) {
  ASSERT_TRUE(startPlugin(kBasic).ok());
  ASSERT_TRUE(receive(message("hi")).ok());  // greeting first, so the next one is plain
  now_ += kMinute;
  auto m = message("what's the price?");
  ASSERT_TRUE(receive(m).ok());
  ASSERT_EQ(outbound_.stored.size(), 2u);
  const auto& c = outbound_.stored[1];
  const auto conversation = conversationOf(m);
  EXPECT_TRUE(c.automatic);
  EXPECT_EQ(c.origin, "autoresponder/pricing");
  EXPECT_EQ(c.kind, sdk::CommandKind::SendText);
  EXPECT_EQ(c.account, "15559990000");
  EXPECT_EQ(c.to, "15550001111@s.whatsapp.net");
  EXPECT_EQ(c.conversation, conversation.id);
  EXPECT_EQ(c.commandId.rfind("autoresponder:pricing:mi_", 0), 0u) << c.commandId;
  // The history shows it as an automatic outbound message.
  auto history = storage()->listMessages(conversation.id, 10, std::nullopt);
  ASSERT_TRUE(history.ok());
  auto reply = std::find_if(history->begin(), history->end(),
                            [](const sdk::StoredMessage& h) { return h.text == "Plans start at 10 EUR."; });
  ASSERT_NE(reply, history->end());
  EXPECT_TRUE(reply->outbound);
  EXPECT_TRUE(reply->automatic);
}

TEST_F(AutoresponderPlugin, ARedeliveredMessageIsNeverAnsweredTwice) {
  ASSERT_TRUE(startPlugin(R"(
rules:
  - {name: pricing, kind: keyword, keywords: [price], reply: {text: "10 EUR"}}
)").ok());
  auto m = message("price?");
  ASSERT_TRUE(receive(m).ok());
  // The same message handed over again (a crash between the store and the reply, a restart...).
  now_ += 10'000;
  ASSERT_TRUE(plugin_->onInbound(stored(m), conversationOf(m)).ok());
  ASSERT_EQ(outbound_.submitted.size(), 2u);
  EXPECT_EQ(outbound_.submitted[0].commandId, outbound_.submitted[1].commandId);
  EXPECT_EQ(outbound_.stored.size(), 1u) << "the host stores one command for both";
}

TEST_F(AutoresponderPlugin, AnAgentReplySilencesTheBotForTheOverrideTime) {
  ASSERT_TRUE(startPlugin(kBasic).ok());
  auto first = message("hi");
  ASSERT_TRUE(receive(first).ok());
  const auto conversation = conversationOf(first).id;
  // An agent answers through a command; the pipeline announces it.
  sdk::Event e;
  e.type = sdk::kEventMessageOutbound;
  e.account = "15559990000";
  e.conversation = conversation;
  e.subject = "agent-cmd-1";
  e.attributes = {{"automatic", "false"}, {"origin", ""}, {"to", "15550001111"}, {"kind", "send_text"}};
  publish(e);
  now_ += kMinute;
  ASSERT_TRUE(receive(message("price?")).ok());
  EXPECT_EQ(outbound_.stored.size(), 1u);
  EXPECT_EQ(metric("autoresponder_skipped_total", {{"reason", "human_override"}}), 1);
  // Another bot's automatic message is no person.
  e.attributes["automatic"] = "true";
  e.attributes["origin"] = "ai-agent/answer";
  publish(e);
  now_ += 31 * kMinute;
  ASSERT_TRUE(receive(message("price?")).ok());
  EXPECT_EQ(outbound_.stored.size(), 2u) << "30 minutes later the bot answers again";
}

TEST_F(AutoresponderPlugin, AnAgentReplyInTheHistoryCountsAfterARestart) {
  ASSERT_TRUE(startPlugin(kBasic).ok());
  auto first = message("hi");
  ASSERT_TRUE(receive(first).ok());
  sdk::OutboundCommand agent;
  agent.commandId = "agent-reply-1";
  agent.account = "15559990000";
  agent.to = "15550001111";
  agent.conversation = conversationOf(first).id;
  agent.text = "Hi, this is Walter.";
  agent.createdAt = now_;
  ASSERT_TRUE(store_->storeCommand(agent, "").ok());
  ASSERT_TRUE(startPlugin(kBasic).ok());  // a fresh instance knows nothing in memory
  now_ += kMinute;
  ASSERT_TRUE(receive(message("price?")).ok());
  EXPECT_EQ(outbound_.stored.size(), 1u);
}

TEST_F(AutoresponderPlugin, AReplyTypedOnThePhoneSilencesTheBotAcrossARestart) {
  ASSERT_TRUE(startPlugin(kBasic).ok());
  auto first = message("hi");
  ASSERT_TRUE(receive(first).ok());
  auto typed = message("Hello! I'll check.");
  typed.fromMe = true;
  typed.sender = "15559990000@s.whatsapp.net";
  ASSERT_TRUE(receive(typed).ok());
  EXPECT_EQ(outbound_.stored.size(), 1u) << "our own account's message gets no answer";
  auto state = storage()->getState("autoresponder", "override/" + conversationOf(first).id);
  ASSERT_TRUE(state.ok() && state.value());
  EXPECT_EQ(*state.value(), std::to_string(now_));
  ASSERT_TRUE(startPlugin(kBasic).ok());
  now_ += 5 * kMinute;
  ASSERT_TRUE(receive(message("price?")).ok());
  EXPECT_EQ(outbound_.stored.size(), 1u);
  now_ += 30 * kMinute;
  ASSERT_TRUE(receive(message("price?")).ok());
  EXPECT_EQ(outbound_.stored.size(), 2u);
}

TEST_F(AutoresponderPlugin, OurOwnReplyComingBackIsNotAPerson) {
  ASSERT_TRUE(startPlugin(kBasic).ok());
  ASSERT_TRUE(receive(message("hi")).ok());
  ASSERT_EQ(outbound_.stored.size(), 1u);
  sdk::Event sent;
  sent.type = "command.result";
  sent.account = "15559990000";
  sent.subject = outbound_.stored[0].commandId;
  sent.attributes = {{"stage", "sent"}, {"network_id", "3EB0OURS"}};
  publish(sent);
  auto echo = message("Welcome, Dana Scully!");
  echo.fromMe = true;
  echo.networkId = "3EB0OURS";
  ASSERT_TRUE(receive(echo).ok());
  EXPECT_EQ(metric("autoresponder_skipped_total", {{"reason", "own_message"}}), 1);
  now_ += kMinute;
  ASSERT_TRUE(receive(message("price?")).ok());
  EXPECT_EQ(outbound_.stored.size(), 2u) << "no human override from our own echo";
}

TEST_F(AutoresponderPlugin, TheOperatorsSwitchTurnsTheBotOffAndOn) {
  ASSERT_TRUE(startPlugin(kBasic).ok());
  auto first = message("hi");
  ASSERT_TRUE(receive(first).ok());
  const auto conversation = conversationOf(first).id;
  ASSERT_TRUE(storage()->setBotPaused(conversation, true).ok());
  now_ += kMinute;
  ASSERT_TRUE(receive(message("price?")).ok());
  EXPECT_EQ(outbound_.stored.size(), 1u);
  EXPECT_EQ(metric("autoresponder_skipped_total", {{"reason", "bot_paused"}}), 1);
  ASSERT_TRUE(storage()->setBotPaused(conversation, false).ok());
  ASSERT_TRUE(receive(message("price?")).ok());
  EXPECT_EQ(outbound_.stored.size(), 2u);
}

TEST_F(AutoresponderPlugin, GroupsAndBroadcastsOnlyWhenConfigured) {
  ASSERT_TRUE(startPlugin(kBasic).ok());
  auto group = message("price?");
  group.chat = "120363001234567890@g.us";
  group.isGroup = true;
  ASSERT_TRUE(receive(group).ok());
  auto status = message("price?");
  status.chat = "status@broadcast";
  ASSERT_TRUE(receive(status).ok());
  EXPECT_TRUE(outbound_.stored.empty());
  EXPECT_EQ(metric("autoresponder_skipped_total", {{"reason", "group"}}), 1);
  EXPECT_EQ(metric("autoresponder_skipped_total", {{"reason", "broadcast"}}), 1);

  ASSERT_TRUE(startPlugin(std::string(kBasic) + "reply_in_groups: true\n").ok());
  auto again = message("price?");
  again.chat = "120363001234567890@g.us";
  again.isGroup = true;
  ASSERT_TRUE(receive(again).ok());
  ASSERT_FALSE(outbound_.stored.empty());
  EXPECT_EQ(outbound_.stored.back().to, "120363001234567890@g.us");
}

TEST_F(AutoresponderPlugin, RateLimitsPerConversationAndPerAccount) {
  ASSERT_TRUE(startPlugin(R"(
rate_limit: {conversation_replies: 2, conversation_window: 10m, account_replies: 3, account_window: 1m}
loop: {max_repeats: 0}
rules:
  - {name: pricing, kind: keyword, keywords: [price], reply: {text: "10 EUR"}}
)").ok());
  for (int i = 0; i < 3; ++i) {
    now_ += 10'000;
    ASSERT_TRUE(receive(message("price? " + std::to_string(i))).ok());
  }
  EXPECT_EQ(outbound_.stored.size(), 2u) << "two per conversation per 10 minutes";
  EXPECT_EQ(metric("autoresponder_rate_limited_total", {{"scope", "conversation"}}), 1);
  now_ += 10 * kMinute;
  ASSERT_TRUE(receive(message("price?")).ok());
  EXPECT_EQ(outbound_.stored.size(), 3u);
  // Three more conversations in the same minute: the account allows three per minute.
  now_ += 2 * kMinute;
  for (const char* peer : {"15550002222", "15550003333", "15550004444", "15550005555"}) {
    ASSERT_TRUE(receive(message("price?", peer)).ok());
  }
  EXPECT_EQ(outbound_.stored.size(), 6u);
  EXPECT_EQ(metric("autoresponder_rate_limited_total", {{"scope", "account"}}), 1);
}

TEST_F(AutoresponderPlugin, TwoBotsFacingEachOtherStop) {
  // Both accounts run the same catch-all rule; every reply of one is a message to the other.
  ASSERT_TRUE(startPlugin(R"(
rules:
  - {name: ack, kind: regex, pattern: ".", reply: {text: "Thanks for your message! An agent will be with you soon."}}
)").ok());
  const std::string a = "15551110000", b = "15552220000";
  ASSERT_TRUE(receive(message("hello", b, a)).ok());
  std::size_t handled = 0;
  for (int hop = 0; hop < 100 && handled < outbound_.stored.size(); ++hop, ++handled) {
    const auto c = outbound_.stored[handled];
    now_ += 150;  // a machine answers at once
    const auto from = c.account;
    const auto to = c.to.substr(0, c.to.find('@'));
    ASSERT_TRUE(receive(message(c.text, from, to)).ok());
  }
  EXPECT_GE(outbound_.stored.size(), 3u) << "they did talk";
  EXPECT_LE(outbound_.stored.size(), 6u) << "and stopped quickly";
  EXPECT_EQ(handled, outbound_.stored.size()) << "no reply left unanswered means the exchange ended";
  EXPECT_EQ(metric("autoresponder_loops_total"), 1);
  // A person writing later, after the pause, is answered again.
  now_ += 2 * 3'600'000;
  const auto before = outbound_.stored.size();
  ASSERT_TRUE(receive(message("are you a real person?", b, a)).ok());
  EXPECT_EQ(outbound_.stored.size(), before + 1);
}

TEST_F(AutoresponderPlugin, RulesStoredThroughTheAdminApiApply) {
  ASSERT_TRUE(startPlugin(std::string(kBasic) + "refresh: 10s\n").ok());
  ASSERT_TRUE(receive(message("hi")).ok());
  auto st = storage();
  ASSERT_TRUE(st->putState("autoresponder", "rules/refunds",
                           R"({"name":"refunds","kind":"keyword","keywords":["refund"],"reply":{"text":"Refunds take 5 days."}})")
                  .ok());
  ASSERT_TRUE(st->putState("autoresponder", "rules/broken", R"({"name":"broken","kind":"regex","pattern":"("})").ok());
  ASSERT_TRUE(st->putState("autoresponder", "revision", "2").ok());
  now_ += 1000;
  ASSERT_TRUE(receive(message("refund?")).ok());
  EXPECT_EQ(outbound_.stored.size(), 1u) << "not before the refresh interval";
  now_ += 10'000;
  ASSERT_TRUE(receive(message("refund?")).ok());
  ASSERT_EQ(outbound_.stored.size(), 2u);
  EXPECT_EQ(outbound_.stored[1].origin, "autoresponder/refunds");
  auto status = st->getState("autoresponder", "status");
  ASSERT_TRUE(status.ok() && status.value());
  auto json = nlohmann::json::parse(*status.value());
  EXPECT_EQ(json["revision"], "2");
  EXPECT_EQ(json["rules"], 3);
  ASSERT_EQ(json["errors"].size(), 2u) << "the broken rule's pattern and its missing reply";
  for (const auto& error : json["errors"]) {
    EXPECT_EQ(error.get<std::string>().rfind("state rules/broken.", 0), 0u) << error;
  }
  // An announced change applies at once.
  ASSERT_TRUE(st->deleteState("autoresponder", "rules/refunds").ok());
  sdk::Event changed;
  changed.type = ar::kEventRulesChanged;
  changed.attributes = {{"instance", "autoresponder"}};
  publish(changed);
  now_ += 1000;
  ASSERT_TRUE(receive(message("refund?")).ok());
  EXPECT_EQ(outbound_.stored.size(), 2u);
}

TEST_F(AutoresponderPlugin, AConfigurationErrorStopsTheStartWithItsKeyPath) {
  auto s = startPlugin(R"(
rules:
  - {name: order, kind: regex, pattern: "order (\\d+", reply: {text: "x"}}
)");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "config.invalid");
  EXPECT_NE(s.error().message.find("plugin \"autoresponder\" configuration: rules[0].pattern: invalid regular"),
            std::string::npos)
      << s.error().message;
}

TEST_F(AutoresponderPlugin, TemplateErrorsAreCountedAndNothingBrokenIsSent) {
  ASSERT_TRUE(startPlugin(R"(
rules:
  - {name: vip, kind: keyword, keywords: [help], reply: {text: "Your manager {{contact.manager}} will call."}}
)").ok());
  ASSERT_TRUE(receive(message("help")).ok());
  EXPECT_TRUE(outbound_.submitted.empty());
  EXPECT_EQ(metric("autoresponder_template_errors_total", {{"code", "template.missing_parameter"}}), 1);
}

TEST_F(AutoresponderPlugin, ARetriableRefusalIsRetriedWithTheSameId) {
  ASSERT_TRUE(startPlugin(R"(
rules:
  - {name: pricing, kind: keyword, keywords: [price], reply: {text: "10 EUR"}}
)").ok());
  outbound_.failRetriably = 1;
  ASSERT_TRUE(receive(message("price?")).ok());
  ASSERT_EQ(outbound_.submitted.size(), 1u);
  EXPECT_TRUE(outbound_.stored.empty());
  io_.restart();
  io_.run_for(std::chrono::milliseconds(1500));
  ASSERT_EQ(outbound_.submitted.size(), 2u);
  EXPECT_EQ(outbound_.submitted[0].commandId, outbound_.submitted[1].commandId);
  EXPECT_EQ(outbound_.stored.size(), 1u);
}
