#include "agent_commands.hpp"

#include <cstdio>

namespace switchboard::aiagent {
namespace {

std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
  for (unsigned char c : s) {
    h = (h ^ c) * 1099511628211ull;
  }
  return h;
}

std::string hex64(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

std::string commandIdFor(const std::string& instance, const std::string& messageId, const std::string& step) {
  std::string id = instance + ":" + messageId + ":" + step;
  if (id.size() <= kMaxCommandIdBytes) {
    return id;
  }
  std::string framed;
  for (const auto* part : {&instance, &messageId, &step}) {
    framed += std::to_string(part->size()) + ":" + *part;
  }
  return instance.substr(0, 32) + ":h" + hex64(fnv1a(framed, 1469598103934665603ull)) +
         hex64(fnv1a(framed, 0x9e3779b97f4a7c15ull));
}

std::string shortId(const std::string& prefix, const std::string& seed) {
  return prefix + hex64(fnv1a(seed, 1469598103934665603ull)).substr(0, 12);
}

sdk::OutboundCommand agentText(const sdk::InboundMessage& answered, const sdk::Conversation& conversation,
                               const std::string& instance, const std::string& agent, const std::string& step,
                               const std::string& text, sdk::TimestampMs now) {
  sdk::OutboundCommand c;
  c.commandId = commandIdFor(instance, answered.id, step);
  c.tenant = answered.tenant;
  c.account = answered.account;
  c.kind = sdk::CommandKind::SendText;
  c.to = answered.chat.empty() ? conversation.peer : answered.chat;
  c.conversation = conversation.id;
  c.text = text;
  c.automatic = true;
  c.origin = instance + "/" + agent;
  c.createdAt = now;
  return c;
}

sdk::OutboundCommand agentAssign(const sdk::InboundMessage& answered, const sdk::Conversation& conversation,
                                 const std::string& instance, const std::string& agent, const std::string& person,
                                 sdk::TimestampMs now) {
  sdk::OutboundCommand c;
  c.commandId = commandIdFor(instance, answered.id, "handover");
  c.tenant = answered.tenant;
  c.account = answered.account;
  c.kind = conversation.assignee.empty() ? sdk::CommandKind::Assign : sdk::CommandKind::Transfer;
  c.conversation = conversation.id;
  c.agent = person;
  c.automatic = true;
  c.origin = instance + "/" + agent;
  c.createdAt = now;
  return c;
}

std::string fillPlaceholders(const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto open = text.find("{{", pos);
    if (open == std::string::npos) {
      break;
    }
    auto close = text.find("}}", open + 2);
    if (close == std::string::npos) {
      break;
    }
    out.append(text, pos, open - pos);
    auto it = values.find(text.substr(open + 2, close - open - 2));
    if (it != values.end()) {
      out += it->second;
    }
    pos = close + 2;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

}  // namespace switchboard::aiagent
