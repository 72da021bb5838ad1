#pragma once

// The plugin's configuration: the model provider, budgets, memory and appointment texts (from the
// YAML section), and the agents (from the YAML section and from the admin API, in one JSON shape so
// one parser checks both).

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::aiagent {

using Millis = std::chrono::milliseconds;

struct ProviderSettings {
  std::string baseUrl;   ///< e.g. https://api.openai.com/v1 (POST <baseUrl>/chat/completions)
  std::string model;
  std::string apiKey;    ///< never logged; empty: no Authorization header (local servers)
  Millis timeout{30000};
  int maxAttempts = 3;
  Millis initialBackoff{500};
  Millis maxBackoff{10000};
  Millis maxRetryAfter{30000};
  int breakerFailures = 5;
  Millis breakerCooldown{30000};
  bool verifyTls = true;
  std::string caFile;
  double temperature = 0.2;
  int maxTokens = 512;
};

struct BudgetSettings {
  std::int64_t tokensPerDay = 0;  ///< per account and UTC day; 0: no limit
  double costPerDay = 0;          ///< per account and UTC day, in the provider's currency; 0: no limit
  double promptCostPer1k = 0;
  double completionCostPer1k = 0;
};

struct HandoverRules {
  double negativeSentiment = -0.5;  ///< hand over when the message's sentiment is at or below (-1 disables)
  bool onRequest = true;            ///< hand over when the customer asks for a person
  double minConfidence = 0;         ///< hand over when the intent's confidence is below (0 disables)
  int maxTurns = 0;                 ///< hand over after this many agent replies (0 disables)
  std::string agent;                ///< transfer to this person...
  std::string team;                 ///< ...or to the least busy available person of this department
  std::string message = "I am passing you to a colleague who will take it from here.";
};

struct Hours {
  std::string timeZone = "UTC";
  std::vector<int> weekdays;  ///< 0 = Sunday; empty: every day
  int startMinute = 0, endMinute = 24 * 60;
  bool outside = false;       ///< take conversations outside these hours instead (a night agent)
};

struct AgentSpec {
  std::string name;
  std::string systemPrompt;
  bool enabled = true;
  std::vector<std::string> accounts, tags, intents, assignees;
  std::string assignment = "any";  ///< any | unassigned | assigned: the routing decision it takes
  std::optional<Hours> hours;
  std::vector<std::string> tools;
  HandoverRules handover;
  int priority = 0;                ///< several agents match: the highest takes it, then the first
};

struct AppointmentTexts {
  Millis reminderBefore{24 * 3600 * 1000};
  Millis checkInterval{30000};  ///< how often due reminders are looked for
  int defaultMinutes = 30;
  std::string confirmation = "Your appointment ({{service}}) on {{when}} is confirmed. Reference: {{id}}.";
  std::string moved = "Your appointment {{id}} is moved to {{when}}.";
  std::string cancelled = "Your appointment {{id}} on {{when}} is cancelled.";
  std::string reminder = "Reminder: your appointment ({{service}}) is on {{when}}.";
};

struct Settings {
  std::vector<std::string> accounts;
  ProviderSettings provider;
  std::string classifier = "lexicon";  ///< lexicon | model
  BudgetSettings budget;
  int memoryMessages = 12;
  Millis humanOverride{24 * 3600 * 1000};
  int maxToolRounds = 4;
  bool replyInGroups = false;
  AppointmentTexts appointments;
  std::string adminToken;  ///< bearer token of the admin route; empty: the route is not served
  std::vector<AgentSpec> agents;
};

sdk::ConfigSchema configSchema();

/// The validated configuration as settings; agents that do not parse are an error naming them.
sdk::Result<Settings> parseSettings(const sdk::ConfigValue& config);

/// One agent from its JSON form (the YAML shape; also what the admin API accepts).
sdk::Result<AgentSpec> parseAgent(const nlohmann::json& j);
nlohmann::json agentToJson(const AgentSpec& a);

/// A configuration subtree as JSON (durations stay integer milliseconds).
nlohmann::json toJson(const sdk::ConfigValue& v);

/// Is `nowMs` within the hours (in their time zone)? Unknown time zones count as UTC.
bool withinHours(const Hours& h, std::int64_t nowMs);

}  // namespace switchboard::aiagent
