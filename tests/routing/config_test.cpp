// Configuration errors name the key path: the schema refuses unknown strategies and keys (with
// file:line:column), the plugin refuses what a schema cannot see (time zones, dates, options on
// the wrong strategy, pickers in the middle of a chain, fallback loops).

#include <gtest/gtest.h>

#include "routing_fixtures.hpp"

using namespace switchboard::routing;
using namespace switchboard::routing::test;

namespace {

std::string errorOf(const std::string& yaml) {
  auto c = loadConfig(yaml);
  EXPECT_FALSE(c.ok()) << "accepted:\n" << yaml;
  return c.ok() ? "" : c.error().message;
}

void expectContains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "\"" << part << "\" not in: " << text;
}

}  // namespace

TEST(RoutingConfig, DefaultsGiveLeastBusyEverywhere) {
  auto c = config("");
  ASSERT_EQ(c.defaultPolicy.chain.size(), 1u);
  EXPECT_EQ(c.defaultPolicy.chain[0].kind, StrategyKind::LeastBusy);
  EXPECT_TRUE(c.defaultPolicy.respectShifts);
  EXPECT_EQ(c.defaultTimeZone, "UTC");
  EXPECT_FALSE(c.learning.enabled);
}

TEST(RoutingConfig, UnknownStrategyIsASchemaErrorWithPathLineAndSuggestion) {
  const auto msg = errorOf(R"(
default:
  chain:
    - strategy: skills
    - strategy: round-robbin
)");
  expectContains(msg, "routing.yaml:5:");
  expectContains(msg, "plugins.routing.config.default.chain[1].strategy");
  expectContains(msg, "unknown value \"round-robbin\"");
  expectContains(msg, "did you mean \"round_robin\"");
}

TEST(RoutingConfig, UnknownKeyIsASchemaError) {
  const auto msg = errorOf(R"(
policies:
  - name: sales
    chain: [{strategy: least_busy, weight: 2}]
)");
  expectContains(msg, "plugins.routing.config.policies[0].chain[0].weight");
  expectContains(msg, "unknown key");
}

TEST(RoutingConfig, BadTimeZoneNamesItsKey) {
  expectContains(errorOf("default_time_zone: Europe/Pariss\n"),
                 "plugins.routing.config.default_time_zone: unknown time zone \"Europe/Pariss\"");
  expectContains(errorOf(R"(
policies:
  - name: night
    time_zone: Mars/Olympus_Mons
)"),
                 "plugins.routing.config.policies[0].time_zone: unknown time zone \"Mars/Olympus_Mons\"");
}

TEST(RoutingConfig, BadHolidayNamesItsKey) {
  expectContains(errorOf("holidays: [2024-12-25, 2024-02-30]\n"),
                 "plugins.routing.config.holidays[1]: \"2024-02-30\" is not a date");
  expectContains(errorOf("agent_holidays: [{agent: a, dates: [25/12/2024]}]\n"),
                 "plugins.routing.config.agent_holidays[0].dates[0]");
}

TEST(RoutingConfig, OptionOfAnotherStrategyIsRefused) {
  expectContains(errorOf("default: {chain: [{strategy: round_robin, match: all}]}\n"),
                 "plugins.routing.config.default.chain[0].match: applies to the skills strategy, not to round_robin");
}

TEST(RoutingConfig, PickersMustBeLast) {
  expectContains(errorOf("default: {chain: [{strategy: random}, {strategy: least_busy}]}\n"),
                 "default.chain[0].strategy: random only picks, so it must be the last step");
}

TEST(RoutingConfig, UnknownSkillSourceIsRefused) {
  expectContains(errorOf("default: {chain: [{strategy: skills, sources: [keywords, mood]}]}\n"),
                 "default.chain[0].sources[1]: unknown source \"mood\"");
}

TEST(RoutingConfig, FallbackMustExistAndNotLoop) {
  expectContains(errorOf("default: {overflow: {fallback_policy: nowhere}}\n"),
                 "default.overflow.fallback_policy: no policy named \"nowhere\"");
  expectContains(errorOf(R"(
policies:
  - {name: a, overflow: {fallback_policy: b}}
  - {name: b, overflow: {fallback_policy: a}}
)"),
                 "fallback policies loop back");
}

TEST(RoutingConfig, DuplicatePolicyNameIsRefused) {
  expectContains(errorOf("policies: [{name: a}, {name: a}]\n"), "policies[1].name: policy \"a\" is defined twice");
}

TEST(RoutingConfig, LearnedNeedsLearningEnabled) {
  expectContains(errorOf("default: {chain: [{strategy: learned}]}\n"),
                 "default.chain[0].strategy: the learned strategy needs learning.enabled: true");
  EXPECT_TRUE(loadConfig("learning: {enabled: true}\ndefault: {chain: [{strategy: learned}]}\n").ok());
}

TEST(RoutingConfig, FullExampleParses) {
  auto c = config(R"(
default_time_zone: America/New_York
holidays: [2024-12-25]
agent_holidays: [{agent: ana, dates: [2024-07-04]}]
skills:
  - {name: billing, keywords: [invoice, "Money back"], tags: [finance]}
policies:
  - name: vip
    accounts: ["15550001"]
    team: care
    sticky: true
    time_zone: Europe/Paris
    chain:
      - {strategy: shift, min_minutes_left: 15}
      - {strategy: priority, vip_agents: [ana], priority_keywords: [URGENT], reserve_vip_agents: true}
      - {strategy: skills, match: all, sources: [keywords, tags], on_empty: queue}
      - {strategy: least_busy, response_time_weight: 0.5}
    overflow: {fallback_policy: default, message: "You are number {position}"}
)");
  ASSERT_EQ(c.policies.size(), 1u);
  const auto& p = c.policies[0];
  EXPECT_EQ(p.team, "care");
  EXPECT_TRUE(p.sticky);
  ASSERT_EQ(p.chain.size(), 4u);
  EXPECT_EQ(p.chain[0].minMinutesLeft, 15);
  EXPECT_EQ(p.chain[0].onEmpty, OnEmpty::Queue);  // shift queues by default
  EXPECT_EQ(p.chain[1].priorityKeywords, std::vector<std::string>{"urgent"});
  EXPECT_EQ(p.chain[2].match, SkillMatch::All);
  EXPECT_FALSE(p.chain[2].fromLanguage);
  EXPECT_EQ(p.chain[2].onEmpty, OnEmpty::Queue);
  EXPECT_DOUBLE_EQ(p.chain[3].responseTimeWeight, 0.5);
  EXPECT_EQ(p.waitMessage, "You are number {position}");
  EXPECT_EQ(c.skills[0].keywords[1], "money back");
  EXPECT_EQ(c.agentHolidays.at("ana").size(), 1u);
}
