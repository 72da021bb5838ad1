#pragma once

// The values template parameters take when a reply is sent:
//   {{name}}                 a fixed parameter of the reply (`params`), else the contact's custom
//                            field `name`; `name`, `first_name` and `phone` also name the contact's
//   contact.name             the contact's name, else the sender's push name
//   contact.first_name       its first word
//   contact.phone, contact.language, contact.id, contact.<field> (custom fields)
//   conversation.id, conversation.account, conversation.assignee, conversation.peer
//   message.text, message.sender_name, message.sender
//   match.0, match.1, ..., match.<group name>   regular-expression captures (regex rules)
//   hours.next_open, hours.schedule, hours.time_zone                       (away rules)
// Values taken from messages and contacts are cut to kMaxParameterBytes.

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "business_hours.hpp"
#include "regex_pattern.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::autoresponder {

inline constexpr std::size_t kMaxParameterBytes = 1024;

struct ParameterSources {
  const sdk::InboundMessage* message = nullptr;
  const sdk::Conversation* conversation = nullptr;
  const std::map<std::string, std::string>* params = nullptr;
  const Captures* captures = nullptr;
  const BusinessHours* schedule = nullptr;
  sdk::TimestampMs now = 0;
  /// The conversation's contact, loaded on first use; returns null when there is none.
  std::function<const sdk::Contact*()> contact;
};

std::optional<std::string> lookupParameter(const ParameterSources& sources, const std::string& name);

/// Why `name` has no value, for the error that stops the reply.
std::string explainMissingParameter(const ParameterSources& sources, const std::string& name);

}  // namespace switchboard::autoresponder
