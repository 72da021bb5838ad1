#pragma once

// Which agent takes a conversation: the enabled agents whose account, tag, intent, routing
// decision and hours conditions all hold; the highest priority wins, then the first listed.

#include <set>
#include <string>
#include <vector>

#include "agent_settings.hpp"
#include "lexicon_classifier.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::aiagent {

bool agentTakes(const AgentSpec& agent, const sdk::InboundMessage& message, const sdk::Conversation& conversation,
                const Classification& classification, std::int64_t nowMs);

/// @param disabled agent names switched off through the admin API. @return nullptr when none takes it.
const AgentSpec* selectAgent(const std::vector<AgentSpec>& agents, const std::set<std::string>& disabled,
                             const sdk::InboundMessage& message, const sdk::Conversation& conversation,
                             const Classification& classification, std::int64_t nowMs);

}  // namespace switchboard::aiagent
