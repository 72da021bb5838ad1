// Each strategy on its own (a chain of one, or a narrowing step before least_busy), including the
// edges: nobody available, everybody full, ties.

#include <gtest/gtest.h>

#include "routing_fixtures.hpp"

using namespace switchboard::routing;
using namespace switchboard::routing::test;
namespace sb = switchboard::sdk;

namespace {

struct Engine {
  RoutingKnowledge knowledge;
  RoutingEngine engine;
  explicit Engine(const std::string& yaml) : engine(config(yaml), knowledge) {}
  RoutingOutcome route(const sb::RoutingRequest& r, sb::TimestampMs now = 0) { return engine.route(r, now); }
};

std::vector<sb::Agent> trio() {
  return {agent({.id = "a", .open = 2}), agent({.id = "b", .open = 0}), agent({.id = "c", .open = 1})};
}

}  // namespace

TEST(RoutingRoundRobin, TakesTurnsInIdOrderAndSkipsBusyAwayFullAndOffShift) {
  Engine e("default: {chain: [{strategy: round_robin}]}");
  auto agents = trio();
  agents.push_back(agent({.id = "d", .status = sb::AgentStatus::Busy}));
  agents.push_back(agent({.id = "e", .status = sb::AgentStatus::Away}));
  agents.push_back(agent({.id = "f", .open = 5, .capacity = 5}));
  agents.push_back(agent({.id = "g", .hours = {{0, 9 * 60, 17 * 60}}}));  // Sundays 9-17 only; now is a Thursday
  const auto r = request("hi", agents);
  std::vector<std::string> order;
  for (int i = 0; i < 7; ++i) {
    order.push_back(*e.route(r).agent);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "c", "a", "b", "c", "a"}));
}

TEST(RoutingRoundRobin, KeepsItsPlaceWhenAnAgentLeaves) {
  Engine e("default: {chain: [{strategy: round_robin}]}");
  auto agents = trio();
  EXPECT_EQ(*e.route(request("", agents)).agent, "a");
  agents[1].status = sb::AgentStatus::Offline;  // b leaves: c is next, not a again
  EXPECT_EQ(*e.route(request("", agents)).agent, "c");
  agents[1].status = sb::AgentStatus::Available;
  EXPECT_EQ(*e.route(request("", agents)).agent, "a");
  EXPECT_EQ(*e.route(request("", agents)).agent, "b");
}

TEST(RoutingNoAgent, NobodyAvailableQueuesWithAReason) {
  Engine e("default: {chain: [{strategy: round_robin}]}");
  auto o = e.route(request("hi", {agent({.id = "a", .status = sb::AgentStatus::Offline}),
                                  agent({.id = "b", .open = 3, .capacity = 3})}));
  EXPECT_FALSE(o.agent);
  EXPECT_EQ(o.strategy, "overflow");
  EXPECT_NE(o.reason.find("1 not available, 1 at capacity"), std::string::npos) << o.reason;
  EXPECT_FALSE(e.route(request("hi", {})).agent);
}

TEST(RoutingLeastBusy, FewestOpenConversationsThenCapacityShareThenId) {
  Engine e("");
  EXPECT_EQ(*e.route(request("", trio())).agent, "b");
  // Equal counts: more room relative to capacity wins.
  auto o = e.route(request("", {agent({.id = "x", .open = 2, .capacity = 3}), agent({.id = "y", .open = 2, .capacity = 8})}));
  EXPECT_EQ(*o.agent, "y");
  // Full tie: the smaller id, every time.
  auto t = tally(e.engine, request("", {agent({.id = "q", .open = 1}), agent({.id = "p", .open = 1})}), 5);
  EXPECT_EQ(t["p"], 5);
}

TEST(RoutingLeastBusy, ResponseTimeWeightSteersAwayFromSlowResponders) {
  Engine e("default: {chain: [{strategy: least_busy, response_time_weight: 1}]}");
  auto agents = std::vector<sb::Agent>{agent({.id = "slow", .open = 1}), agent({.id = "fast", .open = 2})};
  EXPECT_EQ(*e.route(request("", agents)).agent, "slow") << "no response times known yet: plain load";
  auto times = std::make_shared<ResponseTimes>();
  (*times)["slow"] = 3 * 60000.0;  // 3 minutes: counts as 3 more open conversations
  (*times)["fast"] = 0.5 * 60000.0;
  e.knowledge.setResponseTimes("default", times);
  EXPECT_EQ(*e.route(request("", agents)).agent, "fast");
  // An agent without measurements counts as the average (1.75 min): 0 + 1.75 < 1 + 3 and < 2 + 0.5.
  agents.push_back(agent({.id = "new", .open = 0}));
  EXPECT_EQ(*e.route(request("", agents)).agent, "new");
}

TEST(RoutingSkills, KeywordsTagsAndLanguageWithAnyOrAll) {
  const std::string skills = R"(
skills:
  - {name: billing, keywords: [invoice, money back], tags: [finance]}
  - {name: tech, keywords: [error, crash]}
)";
  const std::vector<sb::Agent> agents{
      agent({.id = "bill-en", .open = 3, .skills = {"billing"}, .languages = {"en"}}),
      agent({.id = "bill-es", .open = 4, .skills = {"billing"}, .languages = {"es"}}),
      agent({.id = "tech-es", .open = 0, .skills = {"tech"}, .languages = {"es"}}),
      agent({.id = "all", .open = 4, .skills = {"billing", "tech"}, .languages = {"en", "es"}}),
  };
  Engine any(skills + "default: {chain: [{strategy: skills}, {strategy: least_busy}]}");
  EXPECT_EQ(*any.route(request("Where is my INVOICE?", agents)).agent, "bill-en");
  EXPECT_EQ(*any.route(request("I want my money back!", agents)).agent, "bill-en") << "phrase keyword";
  EXPECT_EQ(*any.route(request("moneyback", agents)).agent, "tech-es") << "no skill detected: least busy of all";
  auto tagged = request("hello", agents);
  tagged.conversation.tags = {"finance"};
  EXPECT_EQ(*any.route(tagged).agent, "bill-en") << "tag detects billing";

  auto spanish = request("the app shows an error", agents);
  spanish.contact->language = "es-MX";
  Engine all(skills + "default: {chain: [{strategy: skills, match: all}, {strategy: least_busy}]}");
  EXPECT_EQ(*all.route(spanish).agent, "tech-es");
  auto both = request("error on my invoice", agents);
  both.contact->language = "es";
  EXPECT_EQ(*all.route(both).agent, "all") << "only one agent has billing, tech and Spanish";
  EXPECT_EQ(*any.route(both).agent, "tech-es") << "any: least busy of those with at least one";

  Engine keywordsOnly(skills + "default: {chain: [{strategy: skills, sources: [keywords]}, {strategy: least_busy}]}");
  EXPECT_EQ(*keywordsOnly.route(tagged).agent, "tech-es") << "tags ignored: nothing required";
}

TEST(RoutingSkills, NobodyWithTheSkillSkipsOrQueuesAsConfigured) {
  const std::string skills = "skills: [{name: legal, keywords: [lawyer]}]\n";
  const std::vector<sb::Agent> agents{agent({.id = "a", .open = 1}), agent({.id = "b", .open = 2})};
  Engine skip(skills + "default: {chain: [{strategy: skills}, {strategy: least_busy}]}");
  EXPECT_EQ(*skip.route(request("I need a lawyer", agents)).agent, "a");
  Engine queue(skills + "default: {chain: [{strategy: skills, on_empty: queue}, {strategy: least_busy}]}");
  auto o = queue.route(request("I need a lawyer", agents));
  EXPECT_FALSE(o.agent);
  EXPECT_NE(o.reason.find("skill legal"), std::string::npos) << o.reason;
  Engine last(skills + "default: {chain: [{strategy: skills}]}");
  EXPECT_FALSE(last.route(request("I need a lawyer", agents)).agent) << "as the picker, skills will not pick a non-match";
}

TEST(RoutingPriority, VipContactsAndKeywordsGoToNamedAgents) {
  Engine e(R"(
default:
  chain:
    - {strategy: priority, vip_agents: [gold], priority_keywords: [urgent], reserve_vip_agents: true}
    - {strategy: least_busy}
)");
  const std::vector<sb::Agent> agents{agent({.id = "gold", .open = 4}), agent({.id = "std1", .open = 1}),
                                      agent({.id = "std2", .open = 2})};
  auto vip = request("hello", agents);
  vip.contact->vip = true;
  EXPECT_EQ(*e.route(vip).agent, "gold");
  EXPECT_EQ(*e.route(request("this is URGENT!", agents)).agent, "gold");
  auto high = request("hello", agents);
  high.conversation.priority = 2;
  EXPECT_EQ(*e.route(high).agent, "gold");
  EXPECT_EQ(*e.route(request("hello", agents)).agent, "std1") << "gold is kept free";
  // The VIP agent is full: urgent conversations fall through (on_empty skip) to everyone.
  auto vipFull = vip;
  vipFull.agents[0].openConversations = vipFull.agents[0].capacity;
  EXPECT_EQ(*e.route(vipFull).agent, "std1");
}

TEST(RoutingPriority, WithoutNamedAgentsUrgentGoesToHighestPriority) {
  Engine e("default: {chain: [{strategy: priority}]}");
  const std::vector<sb::Agent> agents{agent({.id = "lead", .open = 4, .priority = 10}),
                                      agent({.id = "senior", .open = 1, .priority = 10}),
                                      agent({.id = "junior", .open = 0, .priority = 1})};
  auto vip = request("hello", agents);
  vip.contact->vip = true;
  EXPECT_EQ(*e.route(vip).agent, "senior") << "highest priority, then least busy";
  EXPECT_EQ(*e.route(request("hello", agents)).agent, "junior") << "not urgent: least busy";
}

TEST(RoutingRandom, SeededIsRepeatableAndCoversEveryone) {
  const std::string yaml = "seed: 42\ndefault: {chain: [{strategy: random}]}";
  Engine a(yaml), b(yaml);
  std::vector<std::string> first, second;
  std::map<std::string, int> counts;
  for (int i = 0; i < 300; ++i) {
    first.push_back(*a.route(request("", trio())).agent);
    second.push_back(*b.route(request("", trio())).agent);
    ++counts[first.back()];
  }
  EXPECT_EQ(first, second);
  for (const auto& id : {"a", "b", "c"}) {
    EXPECT_GT(counts[id], 60) << id;  // uniform: about 100 each
  }
  Engine other("seed: 43\ndefault: {chain: [{strategy: random}]}");
  std::vector<std::string> third;
  for (int i = 0; i < 300; ++i) {
    third.push_back(*other.route(request("", trio())).agent);
  }
  EXPECT_NE(first, third);
}

TEST(RoutingManual, QueuesWithSuggestionsFromEarlierSteps) {
  Engine e(R"(
skills: [{name: billing, keywords: [invoice]}]
default: {chain: [{strategy: skills}, {strategy: manual}], overflow: {message: "Please wait"}}
)");
  auto agents = trio();
  agents[2].skills = {"billing"};
  auto o = e.route(request("my invoice", agents));
  EXPECT_FALSE(o.agent);
  EXPECT_TRUE(o.manual);
  EXPECT_EQ(o.strategy, "manual");
  EXPECT_EQ(o.suggestions, std::vector<std::string>{"c"});
  EXPECT_EQ(o.waitMessage, "Please wait");
}

TEST(RoutingShift, PicksWhoStaysLongestAndDropsThoseLeavingSoon) {
  // Thursday 2024-01-04, 16:50 UTC.
  const auto now = utc("2024-01-04T16:50Z");
  const std::vector<sb::Agent> agents{
      agent({.id = "leaving", .open = 0, .hours = {{4, 9 * 60, 17 * 60}}}),  // 10 minutes left
      agent({.id = "evening", .open = 3, .hours = {{4, 12 * 60, 20 * 60}}}),
      agent({.id = "tomorrow", .open = 0, .hours = {{5, 9 * 60, 17 * 60}}}),
  };
  Engine pick("default: {chain: [{strategy: shift}]}");
  EXPECT_EQ(*pick.route(request("", agents), now).agent, "evening");
  Engine narrow("default: {chain: [{strategy: shift, min_minutes_left: 15}, {strategy: least_busy}]}");
  EXPECT_EQ(*narrow.route(request("", agents), now).agent, "evening");
  Engine any("default: {chain: [{strategy: least_busy}]}");
  EXPECT_EQ(*any.route(request("", agents), now).agent, "leaving") << "on shift, least busy";
}
