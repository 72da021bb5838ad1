// The AI agent's parts without a network: the lexicon classifier, argument checks against tool
// schemas, the chat completions wire format (including hostile answers), appointment times, agent
// selection, settings, the retry helpers and the circuit breaker, and the budget on a real store.

#include <gtest/gtest.h>

#include "agent_commands.hpp"
#include "agent_selector.hpp"
#include "agent_settings.hpp"
#include "appointment_time.hpp"
#include "budget.hpp"
#include "chat_protocol.hpp"
#include "json_schema.hpp"
#include "kafka_test_support.hpp"
#include "lexicon_classifier.hpp"
#include "switchboard/sdk/retry.hpp"
#include "tool_catalog.hpp"

namespace ai = switchboard::aiagent;
namespace sb = switchboard::sdk;
using json = nlohmann::json;
using namespace std::chrono_literals;

TEST(AiAgentLexicon, AngryCustomerIsNegative) {
  auto c = ai::classifyText("This is terrible, the worst service ever, I am furious!!");
  EXPECT_LE(c.sentiment, -0.5);
  EXPECT_EQ(c.sentimentLabel(), "negative");
  EXPECT_EQ(c.intent, "complaint");
}

TEST(AiAgentLexicon, NegationTurnsPraiseAround) {
  EXPECT_GT(ai::classifyText("the support was really good, thank you").sentiment, 0.3);
  EXPECT_LT(ai::classifyText("the support was not good").sentiment, 0);
}

TEST(AiAgentLexicon, IntentsFromWholeWords) {
  EXPECT_EQ(ai::classifyText("Can I book a demo for tomorrow?").intent, "booking");
  EXPECT_EQ(ai::classifyText("How much does the pro plan cost?").intent, "pricing");
  EXPECT_EQ(ai::classifyText("I want to talk to a real person").intent, "human");
  EXPECT_EQ(ai::classifyText("this thing").intent, "other") << "\"hi\" inside \"this\" is no greeting";
  EXPECT_EQ(ai::classifyText("").confidence, 0);
}

TEST(AiAgentLexicon, LongInputIsBounded) {
  std::string huge(1 << 20, 'a');
  huge += " terrible";
  auto c = ai::classifyText(huge);
  EXPECT_EQ(c.sentiment, 0) << "only the first 4 KiB are read";
}

TEST(AiAgentSchema, ToolArgumentsAreChecked) {
  const auto& update = ai::findTool("update_contact")->parameters;
  EXPECT_FALSE(ai::validateAgainstSchema(json{{"lead_score", 80}, {"add_tags", {"lead"}}}, update));
  auto tooHigh = ai::validateAgainstSchema(json{{"lead_score", 500}}, update);
  ASSERT_TRUE(tooHigh);
  EXPECT_EQ(*tooHigh, "arguments.lead_score: must be at most 100");
  auto wrongType = ai::validateAgainstSchema(json{{"add_tags", "lead"}}, update);
  ASSERT_TRUE(wrongType);
  EXPECT_EQ(*wrongType, "arguments.add_tags: must be an array");
  auto unknown = ai::validateAgainstSchema(json{{"drop", true}}, update);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(*unknown, "arguments.drop: is not a known argument");
  auto field = ai::validateAgainstSchema(json{{"fields", {{"budget", 5}}}}, update);
  ASSERT_TRUE(field);
  EXPECT_EQ(*field, "arguments.fields.budget: must be a string");

  const auto& book = ai::findTool("book_appointment")->parameters;
  auto missing = ai::validateAgainstSchema(json::object(), book);
  ASSERT_TRUE(missing);
  EXPECT_EQ(*missing, "arguments.start: is required");
  auto notObject = ai::validateAgainstSchema(json::array(), book);
  ASSERT_TRUE(notObject);
  EXPECT_EQ(*notObject, "arguments: must be an object");
  const auto& ticket = ai::findTool("create_ticket")->parameters;
  auto badEnum = ai::validateAgainstSchema(json{{"subject", "x"}, {"priority", "asap"}}, ticket);
  ASSERT_TRUE(badEnum);
  EXPECT_NE(badEnum->find("must be one of"), std::string::npos);
}

TEST(AiAgentSchema, EveryToolIsOfferedWithItsSchema) {
  auto tools = ai::toolsForRequest({"handover", "no_such_tool", "send_template"});
  ASSERT_EQ(tools.size(), 2u);
  EXPECT_EQ(tools[0]["function"]["name"], "handover");
  EXPECT_EQ(tools[0]["function"]["parameters"]["required"][0], "reason");
}

TEST(AiAgentChatProtocol, RequestCarriesToolsAndToolResults) {
  ai::ChatRequest r;
  r.model = "m";
  r.messages.push_back({"system", "be nice", {}, {}});
  r.messages.push_back({"assistant", "", {{"call_1", "lookup_contact", "{}"}}, {}});
  r.messages.push_back({"tool", "{\"ok\":true}", {}, "call_1"});
  r.tools = ai::toolsForRequest({"lookup_contact"});
  auto j = json::parse(ai::encodeChatRequest(r));
  EXPECT_EQ(j["model"], "m");
  EXPECT_EQ(j["messages"][1]["tool_calls"][0]["function"]["name"], "lookup_contact");
  EXPECT_TRUE(j["messages"][1]["content"].is_null());
  EXPECT_EQ(j["messages"][2]["tool_call_id"], "call_1");
  EXPECT_EQ(j["tool_choice"], "auto");
}

TEST(AiAgentChatProtocol, DecodesTextToolCallsAndUsage) {
  auto c = ai::decodeChatCompletion(R"({"choices":[{"message":{"role":"assistant","content":"hi","tool_calls":[
      {"id":"a","type":"function","function":{"name":"handover","arguments":"{\"reason\":\"x\"}"}},
      {"id":"b","type":"function","function":{"name":"lookup_contact","arguments":{}}}]},"finish_reason":"tool_calls"}],
      "usage":{"prompt_tokens":12,"completion_tokens":3}})");
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->content, "hi");
  ASSERT_EQ(c->toolCalls.size(), 2u);
  EXPECT_EQ(c->toolCalls[0].arguments, "{\"reason\":\"x\"}");
  EXPECT_EQ(c->toolCalls[1].arguments, "{}") << "an object instead of a string is accepted";
  EXPECT_EQ(c->usage.total(), 15);
}

TEST(AiAgentChatProtocol, HostileAnswersAreErrors) {
  EXPECT_EQ(ai::decodeChatCompletion("<html>").error().code, "ai.response_json");
  EXPECT_EQ(ai::decodeChatCompletion("[]").error().code, "ai.response_shape");
  EXPECT_EQ(ai::decodeChatCompletion(R"({"choices":[]})").error().code, "ai.response_shape");
  EXPECT_EQ(ai::decodeChatCompletion(R"({"choices":[{"message":7}]})").error().code, "ai.response_shape");
  EXPECT_EQ(ai::decodeChatCompletion(R"({"error":{"message":"quota"}})").error().code, "ai.response_error");
  // Wrong types inside are tolerated and bounded, never thrown.
  auto odd = ai::decodeChatCompletion(
      R"({"choices":[{"message":{"content":5,"tool_calls":[7,{"function":"x"},{"function":{"name":3}}]}}],
          "usage":{"prompt_tokens":-5,"completion_tokens":1e300}})");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->content, "");
  EXPECT_EQ(odd->toolCalls.size(), 3u);
  EXPECT_EQ(odd->usage.total(), 0);
  std::string many = R"({"choices":[{"message":{"tool_calls":[)";
  for (int i = 0; i < 50; ++i) {
    many += std::string(i ? "," : "") + R"({"function":{"name":"lookup_contact","arguments":"{}"}})";
  }
  many += "]}}]}";
  EXPECT_EQ(ai::decodeChatCompletion(many)->toolCalls.size(), ai::kMaxToolCallsPerReply);
}

TEST(AiAgentAppointmentTime, ParsesOffsetsAndRefusesLocalTimes) {
  EXPECT_EQ(ai::parseIsoTime("1970-01-01T00:01:00Z"), 60000);
  EXPECT_EQ(ai::parseIsoTime("2026-12-01T10:00:00+01:00"), ai::parseIsoTime("2026-12-01T09:00:00Z"));
  EXPECT_EQ(ai::parseIsoTime("2026-12-01 10:00-05:00"), ai::parseIsoTime("2026-12-01T15:00:00Z"));
  EXPECT_EQ(ai::parseIsoTime("2026-12-01T10:00:00.123Z"), ai::parseIsoTime("2026-12-01T10:00:00Z"));
  EXPECT_FALSE(ai::parseIsoTime("2026-12-01T10:00:00"));
  EXPECT_FALSE(ai::parseIsoTime("2026-02-30T10:00:00Z"));
  EXPECT_FALSE(ai::parseIsoTime("tomorrow at ten"));
  EXPECT_EQ(ai::formatUtc(*ai::parseIsoTime("2026-12-01T10:05:00Z")), "2026-12-01 10:05 UTC");
}

TEST(AiAgentCommands, IdsAreStableAndBounded) {
  EXPECT_EQ(ai::commandIdFor("ai", "m1", "reply1"), "ai:m1:reply1");
  auto longId = ai::commandIdFor("ai", std::string(200, 'x'), "reply1");
  EXPECT_LE(longId.size(), ai::kMaxCommandIdBytes);
  EXPECT_EQ(longId, ai::commandIdFor("ai", std::string(200, 'x'), "reply1"));
  EXPECT_NE(longId, ai::commandIdFor("ai", std::string(200, 'x'), "reply2"));
  EXPECT_EQ(ai::fillPlaceholders("on {{when}} ({{id}}){{missing}}.", {{"when", "Monday"}, {"id", "A-1"}}),
            "on Monday (A-1).");
}

TEST(AiAgentSettings, AgentsParseAndBadOnesAreNamed) {
  auto a = ai::parseAgent(json{{"name", "sales"},
                               {"system_prompt", "Sell."},
                               {"tools", {"update_contact", "book_appointment"}},
                               {"hours", {{"time_zone", "Europe/Berlin"}, {"days", {"mon", "Tue"}},
                                          {"start", "09:00"}, {"end", "17:30"}}},
                               {"handover", {{"team", "support"}, {"max_turns", 5}}}});
  ASSERT_TRUE(a.ok()) << a.error().describe();
  EXPECT_EQ(a->hours->weekdays, (std::vector<int>{1, 2}));
  EXPECT_EQ(a->hours->endMinute, 17 * 60 + 30);
  EXPECT_EQ(a->handover.maxTurns, 5);
  auto back = ai::parseAgent(ai::agentToJson(a.value()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(ai::agentToJson(back.value()), ai::agentToJson(a.value()));

  EXPECT_NE(ai::parseAgent(json{{"name", "x"}, {"system_prompt", "p"}, {"tools", {"rm_rf"}}}).error().message.find(
                "unknown tool \"rm_rf\""),
            std::string::npos);
  EXPECT_NE(ai::parseAgent(json{{"name", "bad name"}, {"system_prompt", "p"}}).error().message.find("must be"),
            std::string::npos);
  EXPECT_NE(ai::parseAgent(json{{"name", "x"}, {"system_prompt", "p"}, {"hours", {{"time_zone", "Mars/Base"}}}})
                .error()
                .message.find("unknown time zone"),
            std::string::npos);
  EXPECT_FALSE(ai::parseAgent(json{{"name", "x"}}).ok()) << "a prompt is required";
}

TEST(AiAgentSelector, ConditionsAndPriority) {
  ai::AgentSpec support, sales, night;
  support.name = "support";
  support.intents = {"support", "complaint"};
  sales.name = "sales";
  sales.tags = {"lead"};
  sales.priority = 1;
  night.name = "night";
  night.hours = ai::Hours{"UTC", {}, 9 * 60, 17 * 60, /*outside=*/true};
  sb::InboundMessage m;
  m.account = "1";
  sb::Conversation c;
  ai::Classification cls;
  const auto noon = *ai::parseIsoTime("2026-11-24T12:00:00Z");
  const auto midnight = *ai::parseIsoTime("2026-11-24T23:00:00Z");
  std::vector<ai::AgentSpec> agents{support, sales, night};
  EXPECT_EQ(ai::selectAgent(agents, {}, m, c, cls, noon), nullptr);
  EXPECT_EQ(ai::selectAgent(agents, {}, m, c, cls, midnight)->name, "night");
  cls.intent = "support";
  EXPECT_EQ(ai::selectAgent(agents, {}, m, c, cls, noon)->name, "support");
  c.tags = {"lead"};
  EXPECT_EQ(ai::selectAgent(agents, {}, m, c, cls, noon)->name, "sales") << "higher priority";
  EXPECT_EQ(ai::selectAgent(agents, {"sales"}, m, c, cls, noon)->name, "support") << "switched off";
  agents[0].assignment = "unassigned";
  c.assignee = "walter";
  EXPECT_EQ(ai::selectAgent(agents, {"sales"}, m, c, cls, noon), nullptr);
}

TEST(AiAgentRetry, BackoffAndRetryAfter) {
  namespace r = sb::retry;
  EXPECT_EQ(r::backoffAfter(1, 100ms, 1000ms, 0), 100ms);
  EXPECT_EQ(r::backoffAfter(3, 100ms, 1000ms, 0), 400ms);
  EXPECT_EQ(r::backoffAfter(10, 100ms, 1000ms, 0), 1000ms);
  EXPECT_EQ(r::backoffAfter(10, 100ms, 1000ms, 1), 800ms);
  EXPECT_EQ(r::parseRetryAfter(" 7 ", 0), 7000ms);
  EXPECT_EQ(r::parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 4000), 6000ms);
  EXPECT_FALSE(r::parseRetryAfter("-1", 0));
  EXPECT_FALSE(r::parseRetryAfter("soon", 0));
}

TEST(AiAgentRetry, BreakerOpensAfterFailuresAndLetsOneTrialThrough) {
  sb::retry::CircuitBreaker b(3, 1000ms);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(b.allow(0));
    b.onFailure(0);
  }
  ASSERT_TRUE(b.allow(0));
  b.onFailure(10);
  EXPECT_EQ(b.state(), sb::retry::CircuitBreaker::State::Open);
  EXPECT_FALSE(b.allow(500));
  EXPECT_TRUE(b.allow(1010)) << "the trial after the cooldown";
  EXPECT_FALSE(b.allow(1011)) << "only one trial at a time";
  b.onFailure(1020);
  EXPECT_FALSE(b.allow(1500)) << "a failed trial opens it again";
  EXPECT_TRUE(b.allow(2100));
  b.onSuccess();
  EXPECT_EQ(b.state(), sb::retry::CircuitBreaker::State::Closed);
  EXPECT_TRUE(b.allow(2101));
  EXPECT_TRUE(b.allow(2102));
}

TEST(AiAgentBudget, PerAccountAndDayOnTheStore) {
  switchboard::test::TempDir dir;
  auto store = switchboard::test::openTestStore(dir.path());
  auto storage = store->tenant(sb::kDefaultTenant);
  ai::BudgetSettings s;
  s.tokensPerDay = 1000;
  s.costPerDay = 0.05;
  s.promptCostPer1k = 0.01;
  s.completionCostPer1k = 0.1;
  ai::Budget budget(s, "ai");
  const auto day1 = *ai::parseIsoTime("2026-11-24T10:00:00Z");
  const auto day2 = *ai::parseIsoTime("2026-11-25T00:00:01Z");
  EXPECT_TRUE(budget.allows(*storage, "A", day1).value());
  auto total = budget.charge(*storage, "A", day1, 600, 100);
  ASSERT_TRUE(total.ok()) << total.error().describe();
  EXPECT_EQ(total->tokens, 700);
  EXPECT_NEAR(total->cost, 0.016, 1e-9);
  EXPECT_TRUE(budget.allows(*storage, "A", day1).value());
  ASSERT_TRUE(budget.charge(*storage, "A", day1, 200, 200).ok());
  EXPECT_FALSE(budget.allows(*storage, "A", day1).value()) << "1,100 tokens spent";
  EXPECT_TRUE(budget.allows(*storage, "B", day1).value()) << "another account";
  EXPECT_TRUE(budget.allows(*storage, "A", day2).value()) << "a new day";
  ASSERT_TRUE(budget.charge(*storage, "B", day1, 0, 500).ok());
  EXPECT_FALSE(budget.allows(*storage, "B", day1).value()) << "cost 0.05 reached";
  EXPECT_EQ(ai::Budget::key("A", day1), "budget/A/2026-11-24");
}
