#pragma once

// The agents of a tenant: those of the YAML section, replaced or joined by agents stored through
// the admin API (plugin state "agents/<name>"), and the switches: agents turned off
// ("disabled/<name>") and conversations the agents stay out of ("conversation_off/<id>").

#include <set>
#include <string>
#include <vector>

#include "agent_settings.hpp"
#include "switchboard/sdk/storage.hpp"

namespace switchboard::aiagent {

class AgentDirectory {
 public:
  AgentDirectory(std::string stateNamespace, std::vector<AgentSpec> configured)
      : ns_(std::move(stateNamespace)), configured_(std::move(configured)) {}

  struct View {
    std::vector<AgentSpec> agents;
    std::set<std::string> disabled;
    std::vector<std::string> errors;  ///< stored agents that no longer parse (left out)
  };
  sdk::Result<View> load(sdk::TenantStorage& storage) const;

  sdk::Status put(sdk::TenantStorage& storage, const AgentSpec& agent) const;
  sdk::Status remove(sdk::TenantStorage& storage, const std::string& name) const;
  sdk::Status setAgentEnabled(sdk::TenantStorage& storage, const std::string& name, bool enabled) const;
  /// Turning a conversation back on also forgets a hand-over and a person's override there.
  sdk::Status setConversationEnabled(sdk::TenantStorage& storage, const std::string& conversation, bool enabled) const;
  sdk::Result<bool> conversationEnabled(sdk::TenantStorage& storage, const std::string& conversation) const;

 private:
  std::string ns_;
  std::vector<AgentSpec> configured_;
};

}  // namespace switchboard::aiagent
