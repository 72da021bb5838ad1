#pragma once

// The commands an agent submits: its texts and templates (marked automatic, origin
// "<instance>/<agent>") and hand-over assignments. Ids derive from the instance, the customer's
// message and the step, so a message delivered twice yields the same ids and the host runs each
// command once.

#include <map>
#include <string>

#include "switchboard/sdk/types.hpp"

namespace switchboard::aiagent {

inline constexpr std::size_t kMaxCommandIdBytes = 128;  // the Kafka contract's limit

/// "<instance>:<message id>:<step>", hashed down when longer than 128 bytes.
std::string commandIdFor(const std::string& instance, const std::string& messageId, const std::string& step);

/// A short stable id (hex) for things the agent creates (tickets, appointments).
std::string shortId(const std::string& prefix, const std::string& seed);

sdk::OutboundCommand agentText(const sdk::InboundMessage& answered, const sdk::Conversation& conversation,
                               const std::string& instance, const std::string& agent, const std::string& step,
                               const std::string& text, sdk::TimestampMs now);

sdk::OutboundCommand agentAssign(const sdk::InboundMessage& answered, const sdk::Conversation& conversation,
                                 const std::string& instance, const std::string& agent, const std::string& person,
                                 sdk::TimestampMs now);

/// Replaces {{name}} in `text` with values from `values` (unknown names become empty).
std::string fillPlaceholders(const std::string& text, const std::map<std::string, std::string>& values);

}  // namespace switchboard::aiagent
