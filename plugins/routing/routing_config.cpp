#include "routing_config.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <cctype>
#include <functional>

namespace switchboard::routing {

namespace {

struct StrategyName {
  const char* name;
  StrategyKind kind;
};

constexpr StrategyName kStrategies[] = {
    {"round_robin", StrategyKind::RoundRobin}, {"least_busy", StrategyKind::LeastBusy},
    {"skills", StrategyKind::Skills},          {"priority", StrategyKind::Priority},
    {"shift", StrategyKind::Shift},            {"random", StrategyKind::Random},
    {"manual", StrategyKind::Manual},          {"learned", StrategyKind::Learned},
};

sb::Error invalid(const std::string& path, const std::string& message) {
  return sb::Error::permanent("config.invalid", path + ": " + message);
}

std::vector<std::string> strings(const sb::ConfigValue& list) {
  std::vector<std::string> out;
  for (const auto& v : list.asList()) {
    out.push_back(v.asString());
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

// A zone name the tz database knows. Looking it up once here means a typo stops the plugin at
// start with the key that holds it, instead of making every agent of that zone "off shift".
sb::Status checkTimeZone(const std::string& zone, const std::string& path) {
  try {
    (void)date::locate_zone(zone);
    return {};
  } catch (const std::exception&) {
    return invalid(path, "unknown time zone \"" + zone + "\" (expected an IANA name such as \"Europe/Paris\")");
  }
}

sb::Status parseDays(const sb::ConfigValue& list, const std::string& path, std::set<Day>& out) {
  const auto& items = list.asList();
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto day = parseDay(items[i].asString());
    if (!day) {
      return invalid(path + "[" + std::to_string(i) + "]",
                     "\"" + items[i].asString() + "\" is not a date in the form YYYY-MM-DD");
    }
    out.insert(*day);
  }
  return {};
}

// Options that belong to one strategy: given on a step of another strategy, they are refused,
// because a silently ignored option is a routing rule that never applies.
struct Option {
  const char* key;
  StrategyKind owner;
};
constexpr Option kOptions[] = {
    {"match", StrategyKind::Skills},          {"sources", StrategyKind::Skills},
    {"response_time_weight", StrategyKind::LeastBusy}, {"vip_agents", StrategyKind::Priority},
    {"priority_keywords", StrategyKind::Priority},     {"min_priority", StrategyKind::Priority},
    {"reserve_vip_agents", StrategyKind::Priority},    {"min_minutes_left", StrategyKind::Shift},
    {"top", StrategyKind::Learned},           {"min_confidence", StrategyKind::Learned},
};

sb::Result<StepConfig> parseStep(const sb::ConfigValue& v, const std::string& path, bool last) {
  StepConfig step;
  step.path = path;
  step.name = v["strategy"].asString();
  bool known = false;
  for (const auto& s : kStrategies) {
    if (step.name == s.name) {
      step.kind = s.kind;
      known = true;
    }
  }
  if (!known) {  // the schema's oneOf already refuses it; kept for callers that skip the schema
    return invalid(path + ".strategy", "unknown strategy \"" + step.name + "\"");
  }
  for (const auto& o : kOptions) {
    if (!v[o.key].isNull() && o.owner != step.kind) {
      std::string owner;
      for (const auto& s : kStrategies) {
        if (s.kind == o.owner) {
          owner = s.name;
        }
      }
      return invalid(path + "." + o.key, "applies to the " + owner + " strategy, not to " + step.name);
    }
  }
  // Pickers have nothing to narrow with; placed before the end they would hide the steps after them.
  if (!last && (step.kind == StrategyKind::RoundRobin || step.kind == StrategyKind::Random ||
                step.kind == StrategyKind::Manual)) {
    return invalid(path + ".strategy", step.name + " only picks, so it must be the last step of the chain");
  }
  // Everyone off shift means nobody should be handed the conversation: queue by default.
  step.onEmpty = step.kind == StrategyKind::Shift ? OnEmpty::Queue : OnEmpty::Skip;
  if (!v["on_empty"].isNull()) {
    step.onEmpty = v["on_empty"].asString() == "queue" ? OnEmpty::Queue : OnEmpty::Skip;
  }
  if (!v["match"].isNull()) {
    step.match = v["match"].asString() == "all" ? SkillMatch::All : SkillMatch::Any;
  }
  if (!v["sources"].isNull()) {
    step.fromKeywords = step.fromLanguage = step.fromTags = false;
    const auto sources = strings(v["sources"]);
    for (std::size_t i = 0; i < sources.size(); ++i) {
      if (sources[i] == "keywords") {
        step.fromKeywords = true;
      } else if (sources[i] == "language") {
        step.fromLanguage = true;
      } else if (sources[i] == "tags") {
        step.fromTags = true;
      } else {
        return invalid(path + ".sources[" + std::to_string(i) + "]",
                       "unknown source \"" + sources[i] + "\"; allowed: keywords, language, tags");
      }
    }
  }
  step.responseTimeWeight = v["response_time_weight"].asDouble(0);
  step.vipAgents = strings(v["vip_agents"]);
  for (auto& k : strings(v["priority_keywords"])) {
    step.priorityKeywords.push_back(lower(k));
  }
  step.minPriority = static_cast<int>(v["min_priority"].asInt(1));
  step.reserveVipAgents = v["reserve_vip_agents"].asBool(false);
  step.minMinutesLeft = static_cast<int>(v["min_minutes_left"].asInt(0));
  step.top = static_cast<int>(v["top"].asInt(3));
  step.minConfidence = v["min_confidence"].asDouble(0);
  return step;
}

sb::Result<PolicyConfig> parsePolicy(const sb::ConfigValue& v, const std::string& path, std::string name) {
  PolicyConfig p;
  p.name = std::move(name);
  p.path = path;
  p.accounts = strings(v["accounts"]);
  p.tags = strings(v["tags"]);
  p.team = v["team"].asString();
  p.respectShifts = v["respect_shifts"].asBool(true);
  p.sticky = v["sticky"].asBool(false);
  p.timeZone = v["time_zone"].asString();
  if (!p.timeZone.empty()) {
    SB_TRY(checkTimeZone(p.timeZone, path + ".time_zone"));
  }
  SB_TRY(parseDays(v["holidays"], path + ".holidays", p.holidays));
  p.fallbackPolicy = v["overflow"]["fallback_policy"].asString();
  p.waitMessage = v["overflow"]["message"].asString();
  const auto& chain = v["chain"].asList();
  for (std::size_t i = 0; i < chain.size(); ++i) {
    auto step = parseStep(chain[i], path + ".chain[" + std::to_string(i) + "]", i + 1 == chain.size());
    SB_TRY(step);
    p.chain.push_back(std::move(step).value());
  }
  if (p.chain.empty()) {
    StepConfig fallback;  // no chain written: the least busy eligible agent
    fallback.name = "least_busy";
    fallback.path = path + ".chain";
    p.chain.push_back(fallback);
  }
  return p;
}

}  // namespace

const std::vector<std::string>& strategyNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& s : kStrategies) {
      out.emplace_back(s.name);
    }
    return out;
  }();
  return names;
}

std::optional<Day> parseDay(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (std::isdigit(static_cast<unsigned char>(text[i])) == 0) {
      return std::nullopt;
    }
  }
  const date::year_month_day ymd{date::year{std::stoi(text.substr(0, 4))},
                                 date::month{static_cast<unsigned>(std::stoi(text.substr(5, 2)))},
                                 date::day{static_cast<unsigned>(std::stoi(text.substr(8, 2)))}};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  return static_cast<Day>(date::sys_days(ymd).time_since_epoch().count());
}

const PolicyConfig* RoutingConfig::policy(const std::string& name) const {
  if (name == defaultPolicy.name) {
    return &defaultPolicy;
  }
  for (const auto& p : policies) {
    if (p.name == name) {
      return &p;
    }
  }
  return nullptr;
}

sb::Result<RoutingConfig> parseRoutingConfig(const sb::ConfigValue& v, const std::string& path) {
  RoutingConfig c;
  c.defaultTimeZone = v["default_time_zone"].isNull() ? "UTC" : v["default_time_zone"].asString();
  SB_TRY(checkTimeZone(c.defaultTimeZone, path + ".default_time_zone"));
  SB_TRY(parseDays(v["holidays"], path + ".holidays", c.holidays));
  const auto& agentHolidays = v["agent_holidays"].asList();
  for (std::size_t i = 0; i < agentHolidays.size(); ++i) {
    const auto at = path + ".agent_holidays[" + std::to_string(i) + "]";
    SB_TRY(parseDays(agentHolidays[i]["dates"], at + ".dates", c.agentHolidays[agentHolidays[i]["agent"].asString()]));
  }
  const auto& skills = v["skills"].asList();
  for (const auto& s : skills) {
    SkillRule rule;
    rule.name = s["name"].asString();
    for (auto& k : strings(s["keywords"])) {
      rule.keywords.push_back(lower(k));
    }
    rule.tags = strings(s["tags"]);
    c.skills.push_back(std::move(rule));
  }

  auto def = parsePolicy(v["default"], path + ".default", "default");
  SB_TRY(def);
  c.defaultPolicy = std::move(def).value();
  std::set<std::string> names{"default"};
  const auto& policies = v["policies"].asList();
  for (std::size_t i = 0; i < policies.size(); ++i) {
    const auto at = path + ".policies[" + std::to_string(i) + "]";
    const auto name = policies[i]["name"].asString();
    if (!names.insert(name).second) {
      return invalid(at + ".name", "policy \"" + name + "\" is defined twice (\"default\" is taken by the default policy)");
    }
    auto p = parsePolicy(policies[i], at, name);
    SB_TRY(p);
    c.policies.push_back(std::move(p).value());
  }
  // Fallbacks must name a policy, and following them must end: a cycle would route forever.
  std::function<sb::Status(const PolicyConfig&)> checkFallback = [&](const PolicyConfig& p) -> sb::Status {
    std::set<std::string> seen{p.name};
    const PolicyConfig* at = &p;
    while (!at->fallbackPolicy.empty()) {
      const auto* next = c.policy(at->fallbackPolicy);
      if (next == nullptr) {
        return invalid(at->path + ".overflow.fallback_policy", "no policy named \"" + at->fallbackPolicy + "\"");
      }
      if (!seen.insert(next->name).second) {
        return invalid(p.path + ".overflow.fallback_policy",
                       "fallback policies loop back to \"" + next->name + "\"");
      }
      at = next;
    }
    return {};
  };
  SB_TRY(checkFallback(c.defaultPolicy));
  for (const auto& p : c.policies) {
    SB_TRY(checkFallback(p));
  }

  const auto& learning = v["learning"];
  c.learning.enabled = learning["enabled"].asBool(false);
  c.learning.retrainEvery = std::chrono::milliseconds(learning["retrain_every"].asInt(3600000));
  c.learning.historyDays = static_cast<int>(learning["history_days"].asInt(90));
  c.learning.maxConversations = static_cast<int>(learning["max_conversations"].asInt(5000));
  c.learning.messagesPerConversation = static_cast<int>(learning["messages_per_conversation"].asInt(3));
  c.learning.holdout = learning["holdout"].asDouble(0.2);
  c.learning.minExamples = static_cast<int>(learning["min_examples"].asInt(20));
  c.learning.closedOnly = learning["train_on"].asString() != "assigned";
  // The learned strategy without training would only ever fall back: refuse it at start instead.
  std::vector<const PolicyConfig*> all{&c.defaultPolicy};
  for (const auto& p : c.policies) {
    all.push_back(&p);
  }
  for (const auto* p : all) {
    for (const auto& s : p->chain) {
      if (s.kind == StrategyKind::Learned && !c.learning.enabled) {
        return invalid(s.path + ".strategy", "the learned strategy needs learning.enabled: true");
      }
    }
  }

  c.responseTimesEvery = std::chrono::milliseconds(v["response_times"]["refresh_every"].asInt(300000));
  c.responseTimesDays = static_cast<int>(v["response_times"]["window_days"].asInt(14));
  c.drainEvery = std::chrono::milliseconds(v["drain_every"].asInt(30000));
  c.seed = static_cast<std::uint64_t>(v["seed"].asInt(0));
  c.claimAttempts = static_cast<int>(v["claim_attempts"].asInt(3));
  return c;
}

}  // namespace switchboard::routing
