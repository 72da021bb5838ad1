#include "agent_selector.hpp"

#include <algorithm>

namespace switchboard::aiagent {
namespace {

bool anyOf(const std::vector<std::string>& wanted, const std::vector<std::string>& have) {
  return std::any_of(wanted.begin(), wanted.end(),
                     [&](const std::string& w) { return std::find(have.begin(), have.end(), w) != have.end(); });
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

bool agentTakes(const AgentSpec& a, const sdk::InboundMessage& m, const sdk::Conversation& c,
                const Classification& cls, std::int64_t nowMs) {
  if (!a.enabled) {
    return false;
  }
  if (!a.accounts.empty() && !contains(a.accounts, m.account)) {
    return false;
  }
  if (!a.tags.empty() && !anyOf(a.tags, c.tags)) {
    return false;
  }
  if (!a.intents.empty() && !contains(a.intents, cls.intent)) {
    return false;
  }
  if (a.assignment == "unassigned" && !c.assignee.empty()) {
    return false;
  }
  if (a.assignment == "assigned" && c.assignee.empty()) {
    return false;
  }
  if (!a.assignees.empty() && !contains(a.assignees, c.assignee)) {
    return false;
  }
  if (a.hours && !withinHours(*a.hours, nowMs)) {
    return false;
  }
  return true;
}

const AgentSpec* selectAgent(const std::vector<AgentSpec>& agents, const std::set<std::string>& disabled,
                             const sdk::InboundMessage& m, const sdk::Conversation& c, const Classification& cls,
                             std::int64_t nowMs) {
  const AgentSpec* best = nullptr;
  for (const auto& a : agents) {
    if (disabled.count(a.name) != 0 || !agentTakes(a, m, c, cls, nowMs)) {
      continue;
    }
    if (!best || a.priority > best->priority) {
      best = &a;
    }
  }
  return best;
}

}  // namespace switchboard::aiagent
