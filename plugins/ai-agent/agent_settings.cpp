#include "agent_settings.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cctype>

#include "tool_catalog.hpp"

namespace switchboard::aiagent {
namespace {

namespace field = sdk::field;
using sdk::ConfigSchema;
using sdk::ConfigValue;

constexpr std::size_t kMaxPromptBytes = 32 * 1024;

ConfigSchema providerSchema() {
  return ConfigSchema{{
      field::string("base_url", "OpenAI-compatible API base, e.g. https://api.openai.com/v1").required(),
      field::string("model", "Model name as the server knows it").required(),
      field::string("api_key", "Bearer key (give api_key_file); empty for local servers", std::string("")).secret(),
      field::duration("timeout", "Deadline of one call", Millis(30000)).range(100, 600000),
      field::integer("max_attempts", "Attempts per call (429, 5xx, timeouts are retried)", 3).range(1, 10),
      field::duration("initial_backoff", "Wait after the first failure", Millis(500)).range(1, 600000),
      field::duration("max_backoff", "Longest wait between attempts", Millis(10000)).range(1, 3600000),
      field::duration("max_retry_after", "Longest Retry-After honoured", Millis(30000)).range(0, 3600000),
      field::integer("breaker_failures", "Failed calls in a row that stop calls for a while (0: never)", 5)
          .range(0, 1000),
      field::duration("breaker_cooldown", "How long calls stay stopped", Millis(30000)).range(1, 3600000),
      field::boolean("verify_tls", "Check the server's certificate chain and name", true),
      field::string("ca_file", "PEM bundle to trust instead of the system store", std::string("")),
      field::real("temperature", "Sampling temperature", 0.2).range(0, 2),
      field::integer("max_tokens", "Longest completion", 512).range(16, 32768),
  }};
}

ConfigSchema handoverSchema() {
  return ConfigSchema{{
      field::real("negative_sentiment", "Hand over at or below this sentiment (-1..1; -1 disables)", -0.5)
          .range(-1, 1),
      field::boolean("on_request", "Hand over when the customer asks for a person", true),
      field::real("min_confidence", "Hand over below this intent confidence (0 disables)", 0).range(0, 1),
      field::integer("max_turns", "Hand over after this many agent replies (0: never)", 0).range(0, 1000),
      field::string("agent", "Person to transfer to", std::string("")),
      field::string("team", "Department whose least busy available person takes over", std::string("")),
      field::string("message", "Said to the customer on hand-over",
                    std::string("I am passing you to a colleague who will take it from here.")),
  }};
}

ConfigSchema hoursSchema() {
  return ConfigSchema{{
      field::string("time_zone", "IANA time zone", std::string("UTC")),
      field::stringList("days", "Weekdays (sun..sat); empty: every day"),
      field::string("start", "HH:MM", std::string("00:00")),
      field::string("end", "HH:MM (24:00 for midnight)", std::string("24:00")),
      field::boolean("outside", "Take conversations outside these hours instead", false),
  }};
}

ConfigSchema agentSchema() {
  return ConfigSchema{{
      field::string("name", "Agent name (marks its messages)").required(),
      field::string("system_prompt", "What the model is told it is and does").required(),
      field::boolean("enabled", "Takes conversations", true),
      field::stringList("accounts", "Accounts it serves (empty: all)"),
      field::stringList("tags", "Conversation tags it takes (empty: any)"),
      field::stringList("intents", "Intents of the message it takes (empty: any)"),
      field::stringList("assignees", "Agents (from routing) whose conversations it takes (empty: any)"),
      field::string("assignment", "Routing decision it takes", std::string("any"))
          .oneOf({"any", "unassigned", "assigned"}),
      field::object("hours", "When it takes conversations", hoursSchema()),
      field::stringList("tools", "Tools the model may call"),
      field::object("handover", "When to hand over to a person", handoverSchema()),
      field::integer("priority", "Higher wins when several agents match", 0),
  }};
}

std::vector<std::string> stringList(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end()) {
    return out;
  }
  if (it->is_string()) {
    out.push_back(it->get<std::string>());
  } else if (it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

template <typename T>
T get(const nlohmann::json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    return fallback;
  }
  if constexpr (std::is_same_v<T, std::string>) {
    return it->is_string() ? it->get<std::string>() : fallback;
  } else if constexpr (std::is_same_v<T, bool>) {
    return it->is_boolean() ? it->get<bool>() : fallback;
  } else if constexpr (std::is_same_v<T, int>) {
    // Through double and clamped: a huge number from the admin API must not overflow the cast.
    return it->is_number() ? static_cast<int>(std::clamp(it->get<double>(), -1e6, 1e6)) : fallback;
  } else {
    return it->is_number() ? it->get<T>() : fallback;
  }
}

std::optional<int> parseClock(const std::string& s) {
  if (s.size() != 5 || s[2] != ':' || !std::isdigit(static_cast<unsigned char>(s[0])) ||
      !std::isdigit(static_cast<unsigned char>(s[1])) || !std::isdigit(static_cast<unsigned char>(s[3])) ||
      !std::isdigit(static_cast<unsigned char>(s[4]))) {
    return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) {
    return std::nullopt;
  }
  return h * 60 + m;
}

std::string clockText(int minutes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
  return buf;
}

constexpr const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

}  // namespace

nlohmann::json toJson(const sdk::ConfigValue& v) {
  switch (v.kind()) {
    case ConfigValue::Kind::Null: return nullptr;
    case ConfigValue::Kind::Bool: return v.asBool();
    case ConfigValue::Kind::Int: return v.asInt();
    case ConfigValue::Kind::Double: return v.asDouble();
    case ConfigValue::Kind::String: return v.asString();
    case ConfigValue::Kind::List: {
      auto out = nlohmann::json::array();
      for (const auto& e : v.asList()) {
        out.push_back(toJson(e));
      }
      return out;
    }
    case ConfigValue::Kind::Map: {
      auto out = nlohmann::json::object();
      for (const auto& [k, e] : v.asMap()) {
        out[k] = toJson(e);
      }
      return out;
    }
  }
  return nullptr;
}

sdk::ConfigSchema configSchema() {
  return ConfigSchema{{
      field::stringList("accounts", "Accounts the plugin answers on (empty: all)"),
      field::object("provider", "The OpenAI-compatible chat completions server", providerSchema()).required(),
      field::string("classifier", "Intent and sentiment of each inbound message", std::string("lexicon"))
          .oneOf({"lexicon", "model"}),
      field::object("budget", "Spending limits per account and UTC day",
                    ConfigSchema{{
                        field::integer("tokens_per_day", "Tokens per account and day (0: no limit)", 0).atLeast(0),
                        field::real("cost_per_day", "Cost per account and day (0: no limit)", 0).atLeast(0),
                        field::real("prompt_cost_per_1k", "Price of 1,000 prompt tokens", 0).atLeast(0),
                        field::real("completion_cost_per_1k", "Price of 1,000 completion tokens", 0).atLeast(0),
                    }}),
      field::integer("memory_messages", "Messages of history given to the model", 12).range(0, 200),
      field::duration("human_override", "Silence after a person replied in a conversation", Millis(24 * 3600 * 1000))
          .range(0, 365.0 * 24 * 3600 * 1000),
      field::integer("max_tool_rounds", "Model calls per customer message (tool results go back)", 4).range(1, 16),
      field::boolean("reply_in_groups", "Answer in group chats", false),
      field::object("appointments", "Texts and timing of appointment messages",
                    ConfigSchema{{
                        field::duration("reminder_before", "Reminder this long before the start (0: none)",
                                        Millis(24 * 3600 * 1000))
                            .range(0, 30.0 * 24 * 3600 * 1000),
                        field::duration("check_interval", "How often due reminders are looked for", Millis(30000))
                            .range(100, 3600000),
                        field::integer("default_minutes", "Length when the model gives none", 30).range(5, 1440),
                        field::string("confirmation", "Sent on booking ({{id}}, {{when}}, {{service}})",
                                      AppointmentTexts{}.confirmation),
                        field::string("moved", "Sent on a move", AppointmentTexts{}.moved),
                        field::string("cancelled", "Sent on a cancellation", AppointmentTexts{}.cancelled),
                        field::string("reminder", "Sent before the start", AppointmentTexts{}.reminder),
                    }}),
      field::string("admin_token", "Bearer token of POST /v1/hooks/<instance>/admin (give admin_token_file)",
                    std::string(""))
          .secret(),
      field::objectList("agents", "The agents", agentSchema()),
  }};
}

sdk::Result<AgentSpec> parseAgent(const nlohmann::json& j) {
  if (!j.is_object()) {
    return sdk::Error::permanent("ai.agent_invalid", "an agent must be an object");
  }
  AgentSpec a;
  a.name = get<std::string>(j, "name", "");
  if (a.name.empty() || a.name.size() > 64 ||
      !std::all_of(a.name.begin(), a.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      })) {
    return sdk::Error::permanent("ai.agent_invalid", "agent name \"" + a.name.substr(0, 64) +
                                                         "\" must be 1-64 characters of [A-Za-z0-9._-]");
  }
  const auto where = "agent \"" + a.name + "\": ";
  a.systemPrompt = get<std::string>(j, "system_prompt", "");
  if (a.systemPrompt.empty() || a.systemPrompt.size() > kMaxPromptBytes) {
    return sdk::Error::permanent("ai.agent_invalid", where + "system_prompt must be 1 to 32768 bytes");
  }
  a.enabled = get<bool>(j, "enabled", true);
  a.accounts = stringList(j, "accounts");
  a.tags = stringList(j, "tags");
  a.intents = stringList(j, "intents");
  a.assignees = stringList(j, "assignees");
  a.assignment = get<std::string>(j, "assignment", "any");
  if (a.assignment != "any" && a.assignment != "unassigned" && a.assignment != "assigned") {
    return sdk::Error::permanent("ai.agent_invalid", where + "assignment must be any, unassigned or assigned");
  }
  a.priority = get<int>(j, "priority", 0);
  a.tools = stringList(j, "tools");
  for (const auto& t : a.tools) {
    if (!isKnownTool(t)) {
      return sdk::Error::permanent("ai.agent_invalid", where + "unknown tool \"" + t + "\"");
    }
  }
  if (auto h = j.find("hours"); h != j.end() && h->is_object()) {
    Hours hours;
    hours.timeZone = get<std::string>(*h, "time_zone", "UTC");
    try {
      (void)date::locate_zone(hours.timeZone);
    } catch (const std::exception&) {
      return sdk::Error::permanent("ai.agent_invalid", where + "unknown time zone \"" + hours.timeZone + "\"");
    }
    for (const auto& d : stringList(*h, "days")) {
      std::string lower = d.substr(0, 3);
      std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) { return static_cast<char>(std::tolower(c)); });
      auto it = std::find(std::begin(kDays), std::end(kDays), lower);
      if (it == std::end(kDays)) {
        return sdk::Error::permanent("ai.agent_invalid", where + "unknown weekday \"" + d + "\"");
      }
      hours.weekdays.push_back(static_cast<int>(it - std::begin(kDays)));
    }
    auto start = parseClock(get<std::string>(*h, "start", "00:00"));
    auto end = parseClock(get<std::string>(*h, "end", "24:00"));
    if (!start || !end || *start >= *end) {
      return sdk::Error::permanent("ai.agent_invalid", where + "hours need start < end, both HH:MM");
    }
    hours.startMinute = *start;
    hours.endMinute = *end;
    hours.outside = get<bool>(*h, "outside", false);
    a.hours = hours;
  }
  if (auto h = j.find("handover"); h != j.end() && h->is_object()) {
    auto& r = a.handover;
    r.negativeSentiment = std::clamp(get<double>(*h, "negative_sentiment", r.negativeSentiment), -1.0, 1.0);
    r.onRequest = get<bool>(*h, "on_request", r.onRequest);
    r.minConfidence = std::clamp(get<double>(*h, "min_confidence", r.minConfidence), 0.0, 1.0);
    r.maxTurns = std::max(0, get<int>(*h, "max_turns", r.maxTurns));
    r.agent = get<std::string>(*h, "agent", "");
    r.team = get<std::string>(*h, "team", "");
    r.message = get<std::string>(*h, "message", r.message);
  }
  return a;
}

nlohmann::json agentToJson(const AgentSpec& a) {
  nlohmann::json j = {{"name", a.name},         {"system_prompt", a.systemPrompt}, {"enabled", a.enabled},
                      {"accounts", a.accounts}, {"tags", a.tags},                  {"intents", a.intents},
                      {"assignees", a.assignees}, {"assignment", a.assignment},    {"tools", a.tools},
                      {"priority", a.priority}};
  j["handover"] = {{"negative_sentiment", a.handover.negativeSentiment}, {"on_request", a.handover.onRequest},
                   {"min_confidence", a.handover.minConfidence},         {"max_turns", a.handover.maxTurns},
                   {"agent", a.handover.agent},                          {"team", a.handover.team},
                   {"message", a.handover.message}};
  if (a.hours) {
    auto days = nlohmann::json::array();
    for (int d : a.hours->weekdays) {
      days.push_back(kDays[d]);
    }
    j["hours"] = {{"time_zone", a.hours->timeZone}, {"days", days}, {"start", clockText(a.hours->startMinute)},
                  {"end", clockText(a.hours->endMinute)}, {"outside", a.hours->outside}};
  }
  return j;
}

sdk::Result<Settings> parseSettings(const sdk::ConfigValue& c) {
  Settings s;
  for (const auto& a : c["accounts"].asList()) {
    s.accounts.push_back(a.asString());
  }
  const auto& p = c["provider"];
  s.provider.baseUrl = p["base_url"].asString();
  while (!s.provider.baseUrl.empty() && s.provider.baseUrl.back() == '/') {
    s.provider.baseUrl.pop_back();
  }
  if (s.provider.baseUrl.rfind("http://", 0) != 0 && s.provider.baseUrl.rfind("https://", 0) != 0) {
    return sdk::Error::permanent("config.invalid", "provider.base_url must start with http:// or https://");
  }
  s.provider.model = p["model"].asString();
  s.provider.apiKey = p["api_key"].asString();
  while (!s.provider.apiKey.empty() && std::isspace(static_cast<unsigned char>(s.provider.apiKey.back()))) {
    s.provider.apiKey.pop_back();  // a key file usually ends with a newline
  }
  s.provider.timeout = p["timeout"].isNull() ? s.provider.timeout : p["timeout"].asDuration();
  s.provider.maxAttempts = static_cast<int>(p["max_attempts"].asInt(s.provider.maxAttempts));
  s.provider.initialBackoff = p["initial_backoff"].isNull() ? s.provider.initialBackoff : p["initial_backoff"].asDuration();
  s.provider.maxBackoff = p["max_backoff"].isNull() ? s.provider.maxBackoff : p["max_backoff"].asDuration();
  s.provider.maxRetryAfter = p["max_retry_after"].isNull() ? s.provider.maxRetryAfter : p["max_retry_after"].asDuration();
  s.provider.breakerFailures = static_cast<int>(p["breaker_failures"].asInt(s.provider.breakerFailures));
  s.provider.breakerCooldown =
      p["breaker_cooldown"].isNull() ? s.provider.breakerCooldown : p["breaker_cooldown"].asDuration();
  s.provider.verifyTls = p["verify_tls"].asBool(true);
  s.provider.caFile = p["ca_file"].asString();
  s.provider.temperature = p["temperature"].asDouble(s.provider.temperature);
  s.provider.maxTokens = static_cast<int>(p["max_tokens"].asInt(s.provider.maxTokens));

  if (!c["classifier"].isNull()) {
    s.classifier = c["classifier"].asString();
  }
  const auto& b = c["budget"];
  s.budget.tokensPerDay = b["tokens_per_day"].asInt(0);
  s.budget.costPerDay = b["cost_per_day"].asDouble(0);
  s.budget.promptCostPer1k = b["prompt_cost_per_1k"].asDouble(0);
  s.budget.completionCostPer1k = b["completion_cost_per_1k"].asDouble(0);
  s.memoryMessages = static_cast<int>(c["memory_messages"].asInt(s.memoryMessages));
  if (!c["human_override"].isNull()) {
    s.humanOverride = c["human_override"].asDuration();
  }
  s.maxToolRounds = static_cast<int>(c["max_tool_rounds"].asInt(s.maxToolRounds));
  s.replyInGroups = c["reply_in_groups"].asBool(false);
  const auto& ap = c["appointments"];
  if (!ap["reminder_before"].isNull()) {
    s.appointments.reminderBefore = ap["reminder_before"].asDuration();
  }
  if (!ap["check_interval"].isNull()) {
    s.appointments.checkInterval = ap["check_interval"].asDuration();
  }
  s.appointments.defaultMinutes = static_cast<int>(ap["default_minutes"].asInt(s.appointments.defaultMinutes));
  for (auto [key, target] : {std::pair{"confirmation", &s.appointments.confirmation},
                             std::pair{"moved", &s.appointments.moved},
                             std::pair{"cancelled", &s.appointments.cancelled},
                             std::pair{"reminder", &s.appointments.reminder}}) {
    if (!ap[key].asString().empty()) {
      *target = ap[key].asString();
    }
  }
  s.adminToken = c["admin_token"].asString();
  for (const auto& a : c["agents"].asList()) {
    auto agent = parseAgent(toJson(a));
    if (!agent.ok()) {
      return sdk::Error::permanent("config.invalid", "agents: " + agent.error().message);
    }
    if (std::any_of(s.agents.begin(), s.agents.end(), [&](const AgentSpec& x) { return x.name == agent->name; })) {
      return sdk::Error::permanent("config.invalid", "agents: two agents are named \"" + agent->name + "\"");
    }
    s.agents.push_back(std::move(agent).value());
  }
  return s;
}

bool withinHours(const Hours& h, std::int64_t nowMs) {
  const auto instant = std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(nowMs));
  date::local_time<std::chrono::milliseconds> local;
  try {
    local = date::make_zoned(h.timeZone, instant).get_local_time();
  } catch (const std::exception&) {
    local = date::local_time<std::chrono::milliseconds>(std::chrono::milliseconds(nowMs));
  }
  const auto day = date::floor<date::days>(local);
  const int weekday = static_cast<int>(date::weekday(day).c_encoding());
  const int minute = static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
  const bool dayOk = h.weekdays.empty() || std::find(h.weekdays.begin(), h.weekdays.end(), weekday) != h.weekdays.end();
  const bool inside = dayOk && minute >= h.startMinute && minute < h.endMinute;
  return h.outside ? !inside : inside;
}

}  // namespace switchboard::aiagent
