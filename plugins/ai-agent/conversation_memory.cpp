#include "conversation_memory.hpp"

#include <algorithm>

#include "appointment_time.hpp"

namespace switchboard::aiagent {

std::string messageText(const sdk::InboundMessage& m) {
  if (!m.text.empty()) {
    return m.text;
  }
  return m.media ? m.media->caption : std::string();
}

std::string systemMessage(const AgentSpec& agent, const std::optional<sdk::Contact>& contact, std::int64_t nowMs) {
  std::string s = agent.systemPrompt;
  s += "\n\nYou are \"" + agent.name + "\", writing to a customer on WhatsApp. Keep answers short. ";
  s += "The current time is " + formatUtc(nowMs) + ".";
  if (!agent.tools.empty()) {
    s += " Use the tools you are given when they help; never invent a booking or a ticket.";
  }
  if (contact) {
    s += "\nCustomer record: name \"" + contact->name.substr(0, 128) + "\", phone " + contact->phone;
    if (!contact->tags.empty()) {
      s += ", tags:";
      for (const auto& t : contact->tags) {
        s += " " + t.substr(0, 64);
      }
    }
    for (const auto& [k, v] : contact->fields) {
      s += ", " + k.substr(0, 64) + ": " + v.substr(0, 256);
    }
    s += ".";
  }
  return s;
}

std::vector<ChatMessage> memoryMessages(const std::vector<sdk::StoredMessage>& history,
                                        const sdk::InboundMessage& current, std::size_t limit) {
  std::vector<ChatMessage> out;
  bool sawCurrent = false;
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->text.empty()) {
      continue;
    }
    if (it->id == current.id) {
      sawCurrent = true;
    }
    out.push_back({it->outbound ? "assistant" : "user", it->text.substr(0, kMaxMemoryMessageBytes), {}, {}});
  }
  const auto text = messageText(current);
  if (!sawCurrent && !text.empty()) {
    out.push_back({"user", text.substr(0, kMaxMemoryMessageBytes), {}, {}});
  }
  if (out.size() > limit) {
    out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
  }
  // A conversation the model sees must not open with its own words.
  while (!out.empty() && out.front().role == "assistant") {
    out.erase(out.begin());
  }
  return out;
}

}  // namespace switchboard::aiagent
