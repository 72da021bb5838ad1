#include "agent_directory.hpp"

#include <algorithm>

namespace switchboard::aiagent {
namespace {
constexpr int kMaxStoredAgents = 500;
}

sdk::Result<AgentDirectory::View> AgentDirectory::load(sdk::TenantStorage& storage) const {
  View v;
  v.agents = configured_;
  auto stored = storage.scanState(ns_, "agents/", kMaxStoredAgents);
  if (!stored.ok()) {
    return stored.takeError();
  }
  for (const auto& [key, value] : stored.value()) {
    auto j = nlohmann::json::parse(value, nullptr, false);
    auto agent = j.is_discarded() ? sdk::Result<AgentSpec>(sdk::Error::permanent("ai.agent_invalid", "not JSON"))
                                  : parseAgent(j);
    if (!agent.ok()) {
      v.errors.push_back(key + ": " + agent.error().message);
      continue;
    }
    auto same = std::find_if(v.agents.begin(), v.agents.end(),
                             [&](const AgentSpec& a) { return a.name == agent->name; });
    if (same != v.agents.end()) {
      *same = std::move(agent).value();
    } else {
      v.agents.push_back(std::move(agent).value());
    }
  }
  auto disabled = storage.scanState(ns_, "disabled/", kMaxStoredAgents);
  if (!disabled.ok()) {
    return disabled.takeError();
  }
  for (const auto& [key, value] : disabled.value()) {
    v.disabled.insert(key.substr(std::string("disabled/").size()));
  }
  return v;
}

sdk::Status AgentDirectory::put(sdk::TenantStorage& storage, const AgentSpec& agent) const {
  return storage.putState(ns_, "agents/" + agent.name, agentToJson(agent).dump());
}

sdk::Status AgentDirectory::remove(sdk::TenantStorage& storage, const std::string& name) const {
  return storage.deleteState(ns_, "agents/" + name);
}

sdk::Status AgentDirectory::setAgentEnabled(sdk::TenantStorage& storage, const std::string& name, bool enabled) const {
  return enabled ? storage.deleteState(ns_, "disabled/" + name) : storage.putState(ns_, "disabled/" + name, "1");
}

sdk::Status AgentDirectory::setConversationEnabled(sdk::TenantStorage& storage, const std::string& conversation,
                                                   bool enabled) const {
  if (!enabled) {
    return storage.putState(ns_, "conversation_off/" + conversation, "1");
  }
  SB_TRY(storage.deleteState(ns_, "conversation_off/" + conversation));
  SB_TRY(storage.deleteState(ns_, "handover/" + conversation));
  SB_TRY(storage.deleteState(ns_, "override/" + conversation));
  return storage.deleteState(ns_, "turns/" + conversation);
}

sdk::Result<bool> AgentDirectory::conversationEnabled(sdk::TenantStorage& storage,
                                                      const std::string& conversation) const {
  auto off = storage.getState(ns_, "conversation_off/" + conversation);
  if (!off.ok()) {
    return off.takeError();
  }
  return !off.value().has_value();
}

}  // namespace switchboard::aiagent
