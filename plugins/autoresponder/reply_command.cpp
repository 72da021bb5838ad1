#include "reply_command.hpp"

#include <cctype>
#include <cstdio>

namespace switchboard::autoresponder {
namespace {

std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
  for (unsigned char c : s) {
    h = (h ^ c) * 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string commandIdFor(const std::string& instance, const std::string& rule, const std::string& messageId) {
  std::string id = instance + ":" + rule + ":" + messageId;
  if (id.size() <= kMaxCommandIdBytes) {
    return id;
  }
  // Two differently seeded 64-bit hashes over length-prefixed parts: collisions need ~2^64 tries.
  std::string framed;
  for (const auto* part : {&instance, &rule, &messageId}) {
    framed += std::to_string(part->size()) + ":" + *part;
  }
  char hex[40];
  std::snprintf(hex, sizeof hex, "%016llx%016llx",
                static_cast<unsigned long long>(fnv1a(framed, 1469598103934665603ull)),
                static_cast<unsigned long long>(fnv1a(framed, 0x9e3779b97f4a7c15ull)));
  return instance.substr(0, 32) + ":h" + hex;
}

sdk::OutboundCommand makeCommand(const PlannedReply& reply, const sdk::InboundMessage& message,
                                 const sdk::Conversation& conversation, const std::string& instance, bool quote,
                                 sdk::TimestampMs now) {
  sdk::OutboundCommand c;
  c.commandId = commandIdFor(instance, reply.rule, message.id);
  c.tenant = message.tenant;
  c.account = message.account;
  c.kind = reply.media ? sdk::CommandKind::SendMedia : sdk::CommandKind::SendText;
  c.to = message.chat;
  c.conversation = conversation.id;
  c.text = reply.text;
  c.media = reply.media;
  if (quote) {
    c.replyTo = message.networkId;
  }
  c.automatic = true;
  c.origin = instance + "/" + reply.rule;
  c.createdAt = now;
  return c;
}

std::string peerKey(const std::string& account, const std::string& address) {
  std::string user = address.substr(0, address.find('@'));
  user = user.substr(0, user.find(':'));
  std::string digits;
  for (char ch : user) {
    if (std::isdigit(static_cast<unsigned char>(ch))) {
      digits += ch;
    }
  }
  // A phone number is its digits whatever the punctuation; anything else (a LID, a name) as given.
  const bool phoneLike = !digits.empty() && user.find_first_not_of("+0123456789 -().") == std::string::npos;
  return account + "|" + (phoneLike ? digits : user);
}

}  // namespace switchboard::autoresponder
