#pragma once

// The routing plugin's settings as typed values. The host has already checked the YAML against
// the schema (config_schema.cpp: types, allowed strategy names); parseRoutingConfig adds the
// checks a schema cannot express (a time zone that exists, a date that is a date, a strategy
// option used with the strategy it belongs to) and names the key path of whatever it refuses.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::routing {

namespace sb = ::switchboard::sdk;

enum class StrategyKind { RoundRobin, LeastBusy, Skills, Priority, Shift, Random, Manual, Learned };

/// What a narrowing step does when it leaves nobody: carry on with the candidates it was given,
/// or stop and queue the conversation.
enum class OnEmpty { Skip, Queue };

enum class SkillMatch { Any, All };

/// One step of a chain. Options belong to one strategy each; unset ones keep their defaults.
struct StepConfig {
  StrategyKind kind = StrategyKind::LeastBusy;
  std::string name;                         ///< As written in the configuration ("least_busy").
  std::string path;                         ///< Key path, for messages ("...chain[1]").
  OnEmpty onEmpty = OnEmpty::Skip;
  // skills
  SkillMatch match = SkillMatch::Any;
  bool fromKeywords = true, fromLanguage = true, fromTags = true;
  // least_busy
  double responseTimeWeight = 0;            ///< Open conversations added per minute of average response time.
  // priority
  std::vector<std::string> vipAgents;
  std::vector<std::string> priorityKeywords;
  int minPriority = 1;                      ///< Conversation priority from which it counts as urgent.
  bool reserveVipAgents = false;            ///< Keep vip_agents free for urgent conversations.
  // shift
  int minMinutesLeft = 0;
  // learned
  int top = 3;
  double minConfidence = 0;
};

/// A skill and the signals that say a conversation needs it.
struct SkillRule {
  std::string name;
  std::vector<std::string> keywords;        ///< Words or phrases in the customer's message.
  std::vector<std::string> tags;            ///< Contact or conversation tags.
};

/// A calendar date (proleptic Gregorian), as days since 1970-01-01.
using Day = std::int32_t;

/// Which conversations a policy takes, which agents may get them, and the chain that chooses.
struct PolicyConfig {
  std::string name;
  std::string path;                         ///< Key path, for messages.
  std::vector<std::string> accounts;        ///< Empty: every account.
  std::vector<std::string> tags;            ///< Empty: any; else one of them on the conversation or contact.
  std::string team;                         ///< Agents' department; empty: every agent.
  std::vector<StepConfig> chain;
  bool respectShifts = true;                ///< Only agents on shift (hours, time zone, holidays) are candidates.
  bool sticky = false;                      ///< A returning contact goes back to their last agent if eligible.
  std::string timeZone;                     ///< For agents with none; empty: the plugin's default_time_zone.
  std::set<Day> holidays;                   ///< In addition to the plugin-wide ones.
  std::string fallbackPolicy;               ///< Tried when this policy finds nobody (overflow).
  std::string waitMessage;                  ///< Sent to the customer when the conversation is queued.
};

struct LearningConfig {
  bool enabled = false;
  std::chrono::milliseconds retrainEvery{std::chrono::hours(1)};
  int historyDays = 90;
  int maxConversations = 5000;
  int messagesPerConversation = 3;
  double holdout = 0.2;                     ///< Share of conversations kept out of training to measure accuracy.
  int minExamples = 20;
  bool closedOnly = true;                   ///< Learn from resolved (closed) conversations only.
};

struct RoutingConfig {
  PolicyConfig defaultPolicy;
  std::vector<PolicyConfig> policies;
  std::vector<SkillRule> skills;
  std::set<Day> holidays;                              ///< Every agent's.
  std::map<std::string, std::set<Day>> agentHolidays;  ///< Per agent id.
  std::string defaultTimeZone = "UTC";
  LearningConfig learning;
  std::chrono::milliseconds responseTimesEvery{std::chrono::minutes(5)};
  int responseTimesDays = 14;
  std::chrono::milliseconds drainEvery{std::chrono::seconds(30)};
  std::uint64_t seed = 0;                              ///< 0: seeded from std::random_device.
  int claimAttempts = 3;

  /// The policy with this name (the default one is "default"), or null.
  const PolicyConfig* policy(const std::string& name) const;
};

/// Typed settings from the validated configuration. `path` is where the section sits in the file
/// ("plugins.routing.config"); errors are `config.invalid` and start with the key path.
sb::Result<RoutingConfig> parseRoutingConfig(const sb::ConfigValue& config, const std::string& path);

/// The strategy names, as the configuration spells them.
const std::vector<std::string>& strategyNames();

/// "YYYY-MM-DD" as a Day, or nullopt when it is not a real date.
std::optional<Day> parseDay(const std::string& text);

}  // namespace switchboard::routing
