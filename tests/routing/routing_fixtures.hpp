#pragma once

// Shared by the routing tests: configurations written as YAML and checked exactly as the daemon
// checks them (the host's schema validator, then the plugin's own parse), agents and requests
// built in one line, and UTC instants from readable text.

#include <optional>
#include <string>
#include <vector>

#include "routing_config.hpp"
#include "routing_engine.hpp"
#include "switchboard/sdk/plugin.hpp"

namespace switchboard::routing::test {

/// The YAML of a `config:` section, validated against the plugin's schema. Schema problems come
/// back as one error whose message lists them as the daemon would print them.
sb::Result<sb::ConfigValue> validated(const std::string& yaml);
/// validated() then parseRoutingConfig() at "plugins.routing.config".
sb::Result<RoutingConfig> loadConfig(const std::string& yaml);
/// loadConfig() that fails the test on error.
RoutingConfig config(const std::string& yaml);

struct AgentSpec {
  std::string id;
  int open = 0;
  int capacity = 5;
  sb::AgentStatus status = sb::AgentStatus::Available;
  std::vector<std::string> skills = {};
  std::vector<std::string> languages = {};
  std::string department = {};
  int priority = 0;
  std::string timeZone = "UTC";
  std::vector<sb::Shift> hours = {};
};
sb::Agent agent(const AgentSpec& spec);

sb::RoutingRequest request(const std::string& text, std::vector<sb::Agent> agents, const std::string& account = "acct");

/// Milliseconds since the epoch of "YYYY-MM-DDTHH:MM[:SS]Z".
sb::TimestampMs utc(const std::string& text);

/// Runs `n` decisions and counts how many each agent got (the request's load is not updated).
std::map<std::string, int> tally(RoutingEngine& engine, const sb::RoutingRequest& request, int n,
                                 sb::TimestampMs now = 0);

}  // namespace switchboard::routing::test
