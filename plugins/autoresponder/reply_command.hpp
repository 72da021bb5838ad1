#pragma once

// Turns a planned reply into the outbound command that sends it. The command id is derived from
// the plugin instance, the rule and the message answered, so a message delivered twice (a
// redelivery after a crash) yields the same id and the host executes it once.

#include <string>

#include "rule_engine.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::autoresponder {

inline constexpr std::size_t kMaxCommandIdBytes = 128;  // the Kafka contract's limit

/// "<instance>:<rule>:<message id>", or, when that is longer than 128 bytes,
/// "<first 32 bytes of instance>:h<32 hex digits of a hash of all three>".
std::string commandIdFor(const std::string& instance, const std::string& rule, const std::string& messageId);

/// The command sending `reply` in answer to `message`; `origin` is "<instance>/<rule>".
sdk::OutboundCommand makeCommand(const PlannedReply& reply, const sdk::InboundMessage& message,
                                 const sdk::Conversation& conversation, const std::string& instance, bool quote,
                                 sdk::TimestampMs now);

/// A key for "the same peer on the same account" when a conversation id is not known: the user
/// part of the address ("15551234567" from "+1 555-123-4567", "15551234567@s.whatsapp.net" or
/// "15551234567:3@s.whatsapp.net").
std::string peerKey(const std::string& account, const std::string& address);

}  // namespace switchboard::autoresponder
