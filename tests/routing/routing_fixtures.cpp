#include "routing_fixtures.hpp"

#include <gtest/gtest.h>

#include <date/date.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

#include "config/schema_validator.hpp"
#include "config_schema.hpp"

namespace switchboard::routing::test {

sb::Result<sb::ConfigValue> validated(const std::string& yaml) {
  host::ValidationContext ctx{"routing.yaml", [](const std::string&) { return std::optional<std::string>(); }, {}};
  const auto node = YAML::Load(yaml);
  auto value = host::validateSection(node, routingSchema(), "plugins.routing.config", ctx);
  if (!ctx.errors.empty()) {
    return sb::Error::permanent("config.schema", host::describe(ctx.errors));
  }
  return value;
}

sb::Result<RoutingConfig> loadConfig(const std::string& yaml) {
  auto v = validated(yaml);
  if (!v.ok()) {
    return v.takeError();
  }
  return parseRoutingConfig(v.value(), "plugins.routing.config");
}

RoutingConfig config(const std::string& yaml) {
  auto c = loadConfig(yaml);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().describe());
  return c.ok() ? std::move(c).value() : RoutingConfig{};
}

sb::Agent agent(const AgentSpec& s) {
  sb::Agent a;
  a.id = s.id;
  a.name = s.id;
  a.openConversations = s.open;
  a.capacity = s.capacity;
  a.status = s.status;
  a.skills = s.skills;
  a.languages = s.languages;
  a.department = s.department;
  a.priority = s.priority;
  a.timeZone = s.timeZone;
  a.hours = s.hours;
  return a;
}

sb::RoutingRequest request(const std::string& text, std::vector<sb::Agent> agents, const std::string& account) {
  sb::RoutingRequest r;
  r.conversation.id = "conv-1";
  r.conversation.account = account;
  r.conversation.contact = "contact-1";
  r.message.text = text;
  r.message.account = account;
  r.agents = std::move(agents);
  sb::Contact c;
  c.id = "contact-1";
  r.contact = c;
  return r;
}

sb::TimestampMs utc(const std::string& text) {
  std::istringstream in(text);
  date::sys_time<std::chrono::milliseconds> t;
  in >> date::parse(text.size() > 17 ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%MZ", t);
  EXPECT_FALSE(in.fail()) << "bad time in test: " << text;
  return t.time_since_epoch().count();
}

std::map<std::string, int> tally(RoutingEngine& engine, const sb::RoutingRequest& request, int n,
                                 sb::TimestampMs now) {
  std::map<std::string, int> out;
  for (int i = 0; i < n; ++i) {
    auto o = engine.route(request, now);
    ++out[o.agent.value_or("")];
  }
  return out;
}

}  // namespace switchboard::routing::test
