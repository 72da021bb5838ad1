#pragma once

// What the model is given to remember: the agent's prompt with the customer's contact record and
// the time, then the conversation's last N messages from storage, oldest first (the customer's as
// "user", ours as "assistant"), ending with the message being answered.

#include <optional>
#include <vector>

#include "agent_settings.hpp"
#include "chat_protocol.hpp"
#include "switchboard/sdk/storage.hpp"

namespace switchboard::aiagent {

inline constexpr std::size_t kMaxMemoryMessageBytes = 4000;

/// The system message: the agent's prompt, then facts it may use.
std::string systemMessage(const AgentSpec& agent, const std::optional<sdk::Contact>& contact, std::int64_t nowMs);

/// `history` newest first, as TenantStorage::listMessages returns it; `current` is appended when the
/// history does not hold it yet. Empty texts (media without a caption, reactions) are left out.
std::vector<ChatMessage> memoryMessages(const std::vector<sdk::StoredMessage>& history,
                                        const sdk::InboundMessage& current, std::size_t limit);

/// The text of a message as the agent reads it (the caption of a media message).
std::string messageText(const sdk::InboundMessage& m);

}  // namespace switchboard::aiagent
