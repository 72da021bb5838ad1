// Chains (each step narrows, the last picks), policy selection per account, tag and team,
// overflow to a fallback policy, sticky contacts, and excluded agents.

#include <gtest/gtest.h>

#include "routing_fixtures.hpp"

using namespace switchboard::routing;
using namespace switchboard::routing::test;
namespace sb = switchboard::sdk;

namespace {

std::vector<sb::Agent> staff() {
  return {
      agent({.id = "ann", .open = 3, .skills = {"billing"}, .department = "sales", .priority = 5}),
      agent({.id = "ben", .open = 1, .skills = {"billing"}, .department = "support", .priority = 1}),
      agent({.id = "cat", .open = 0, .skills = {"tech"}, .department = "support", .priority = 1}),
      agent({.id = "dan", .open = 2, .skills = {"tech", "billing"}, .department = "sales", .priority = 5}),
  };
}

const char* kSkills = "skills: [{name: billing, keywords: [invoice]}, {name: tech, keywords: [crash]}]\n";

}  // namespace

TEST(RoutingChain, EachStepNarrowsAndTheLastPicks) {
  RoutingKnowledge k;
  RoutingEngine e(config(std::string(kSkills) + R"(
default:
  chain:
    - {strategy: skills}
    - {strategy: priority}
    - {strategy: round_robin}
)"),
                  k);
  const auto r = request("urgent: my invoice", staff());
  auto urgent = r;
  urgent.contact->vip = true;
  // billing -> ann, ben, dan; VIP -> highest priority of those: ann, dan; round robin between them.
  EXPECT_EQ(*e.route(urgent, 0).agent, "ann");
  EXPECT_EQ(*e.route(urgent, 0).agent, "dan");
  auto o = e.route(urgent, 0);
  EXPECT_EQ(*o.agent, "ann");
  EXPECT_EQ(o.strategy, "round_robin");
  EXPECT_NE(o.reason.find("skills: 3 with skill billing; priority: urgent (VIP contact): 2"), std::string::npos)
      << o.reason;
}

TEST(RoutingChain, OrderMatters) {
  RoutingKnowledge k;
  RoutingEngine skillsFirst(config(std::string(kSkills) + "default: {chain: [{strategy: skills}, {strategy: least_busy}]}"), k);
  RoutingEngine busyFirst(config(std::string(kSkills) + "default: {chain: [{strategy: least_busy}, {strategy: skills}]}"), k);
  const auto r = request("my invoice", staff());
  EXPECT_EQ(*skillsFirst.route(r, 0).agent, "ben");  // billing agents, then least busy
  // least busy first keeps only cat (0 open), who lacks billing: skills, as the picker, finds nobody.
  auto o = busyFirst.route(r, 0);
  EXPECT_FALSE(o.agent);
  EXPECT_EQ(o.strategy, "overflow");
}

TEST(RoutingChain, PolicyPerAccountTagAndTeam) {
  RoutingKnowledge k;
  RoutingEngine e(config(R"(
policies:
  - {name: sales-line, accounts: ["111"], team: sales}
  - {name: vip-tag, tags: [gold], team: support, chain: [{strategy: round_robin}]}
default: {team: support}
)"),
                  k);
  auto o = e.route(request("", staff(), "111"), 0);
  EXPECT_EQ(o.policy, "sales-line");
  EXPECT_EQ(*o.agent, "dan");  // least busy of sales
  auto tagged = request("", staff(), "222");
  tagged.contact->tags = {"gold"};
  o = e.route(tagged, 0);
  EXPECT_EQ(o.policy, "vip-tag");
  EXPECT_EQ(*o.agent, "ben");  // round robin over support, from the start
  o = e.route(request("", staff(), "222"), 0);
  EXPECT_EQ(o.policy, "default");
  EXPECT_EQ(*o.agent, "cat");
}

TEST(RoutingChain, OverflowGoesToTheFallbackPolicyThenQueues) {
  RoutingKnowledge k;
  RoutingEngine e(config(R"(
policies:
  - {name: sales, accounts: ["111"], team: sales, overflow: {fallback_policy: support, message: "wait {position}"}}
  - {name: support, accounts: [none], team: support}
)"),
                  k);
  auto agents = staff();
  agents[0].status = sb::AgentStatus::Away;  // ann
  agents[3].openConversations = agents[3].capacity;  // dan is full
  auto o = e.route(request("", agents, "111"), 0);
  ASSERT_TRUE(o.agent);
  EXPECT_EQ(*o.agent, "cat");
  EXPECT_EQ(o.policy, "support");
  EXPECT_NE(o.reason.find("policy sales: nobody eligible"), std::string::npos) << o.reason;
  for (auto& a : agents) {
    a.status = sb::AgentStatus::Offline;
  }
  o = e.route(request("", agents, "111"), 0);
  EXPECT_FALSE(o.agent);
  EXPECT_EQ(o.waitMessage, "wait {position}") << "the first policy's message when the fallback has none";
}

TEST(RoutingChain, StickyReturnsToThePreviousAgentOnlyWhenEligible) {
  RoutingKnowledge k;
  RoutingEngine e(config("default: {sticky: true}"), k);
  auto agents = staff();
  auto o = e.route(request("", agents), 0, std::string("ann"));
  EXPECT_EQ(*o.agent, "ann");
  EXPECT_EQ(o.strategy, "sticky");
  agents[0].status = sb::AgentStatus::Busy;
  o = e.route(request("", agents), 0, std::string("ann"));
  EXPECT_EQ(*o.agent, "cat");
  EXPECT_EQ(o.strategy, "least_busy");
  RoutingEngine notSticky(config(""), k);
  EXPECT_EQ(*notSticky.route(request("", staff()), 0, std::string("ann")).agent, "cat");
}

TEST(RoutingChain, ExcludedAgentsAreSkipped) {
  RoutingKnowledge k;
  RoutingEngine e(config(""), k);
  EXPECT_EQ(*e.route(request("", staff()), 0, std::nullopt, {"cat"}).agent, "ben");
  auto o = e.route(request("", staff()), 0, std::nullopt, {"ann", "ben", "cat", "dan"});
  EXPECT_FALSE(o.agent);
  EXPECT_NE(o.reason.find("4 just taken"), std::string::npos) << o.reason;
}
