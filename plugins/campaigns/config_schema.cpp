#include "config_schema.hpp"

#include <chrono>

namespace switchboard::campaigns {

namespace field = sdk::field;
using namespace std::chrono_literals;

sdk::ConfigSchema configSchema() {
  auto stopWords = field::stringList("stop_words", "Replies that opt the contact out of every campaign");
  stopWords.f.defaultValue = sdk::ConfigValue::ofList(
      {sdk::ConfigValue::ofString("STOP"), sdk::ConfigValue::ofString("STOPALL"),
       sdk::ConfigValue::ofString("UNSUBSCRIBE"), sdk::ConfigValue::ofString("CANCEL"),
       sdk::ConfigValue::ofString("END"), sdk::ConfigValue::ofString("QUIT")});
  auto startWords = field::stringList("start_words", "Replies that opt a contact who opted out back in");
  startWords.f.defaultValue =
      sdk::ConfigValue::ofList({sdk::ConfigValue::ofString("START"), sdk::ConfigValue::ofString("UNSTOP")});
  return {{
      field::string("tenant", "The tenant whose contacts and campaigns this instance runs", std::string("default")),
      field::string("admin_token", "Bearer token of the plugin's admin routes (empty: routes off)", std::string(""))
          .secret(),
      stopWords,
      startWords,
      field::string("opt_out_confirmation", "Sent once when a contact opts out (empty: no confirmation)",
                    std::string("You will get no more messages from our campaigns. Reply START to opt in again.")),
      field::duration("reply_window", "A reply this soon after a campaign message counts as a reply to it", 72h)
          .range(60'000, 30.0 * 86'400'000),
      field::integer("max_recipients", "Recipients per run, at most", 100'000).range(1, 1'000'000),
      field::real("significance", "Alpha of the A/B test (two-proportion z-test)", 0.05).range(0.0001, 0.5),
      field::make("campaigns", sdk::ConfigType::Any,
                  "Campaign definitions (as the admin route `create` takes them), created at start", std::nullopt),
  }};
}

nlohmann::json toJson(const sdk::ConfigValue& v) {
  switch (v.kind()) {
    case sdk::ConfigValue::Kind::Null: return nullptr;
    case sdk::ConfigValue::Kind::Bool: return v.asBool();
    case sdk::ConfigValue::Kind::Int: return v.asInt();
    case sdk::ConfigValue::Kind::Double: return v.asDouble();
    case sdk::ConfigValue::Kind::String: {
      // Free-form YAML reaches plugins with every scalar as a string: numbers and booleans are
      // recognised here so the definition reads like the JSON the admin routes take.
      const auto& s = v.asString();
      if (s == "true" || s == "false") {
        return s == "true";
      }
      auto parsed = nlohmann::json::parse(s, nullptr, false);
      if (!s.empty() && s.size() < 20 && parsed.is_number() && s.find_first_of("eE") == std::string::npos &&
          s.front() != '+' && s.front() != '.') {
        return parsed;
      }
      return s;
    }
    case sdk::ConfigValue::Kind::List: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : v.asList()) {
        out.push_back(toJson(item));
      }
      return out;
    }
    case sdk::ConfigValue::Kind::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [k, item] : v.asMap()) {
        out[k] = toJson(item);
      }
      return out;
    }
  }
  return nullptr;
}

}  // namespace switchboard::campaigns
