#include "storage/codec.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace switchboard::host::storage {

using nlohmann::json;

namespace {

json mediaJson(const sdk::Media& m) {
  return json{{"mime", m.mimeType}, {"ref", m.ref}, {"file", m.fileName}, {"caption", m.caption},
              {"size", m.size}, {"sha256", m.sha256Hex}, {"w", m.width}, {"h", m.height},
              {"secs", m.durationSeconds}};
}

sdk::Media mediaFrom(const json& j) {
  sdk::Media m;
  m.mimeType = j.value("mime", "");
  m.ref = j.value("ref", "");
  m.fileName = j.value("file", "");
  m.caption = j.value("caption", "");
  m.size = j.value("size", std::uint64_t{0});
  m.sha256Hex = j.value("sha256", "");
  m.width = j.value("w", 0u);
  m.height = j.value("h", 0u);
  m.durationSeconds = j.value("secs", 0u);
  return m;
}

json parseOr(const std::string& text, json fallback) {
  if (text.empty()) {
    return fallback;
  }
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? fallback : j;
}

template <typename E, std::size_t N>
E enumFrom(const std::string& s, const E (&all)[N], E fallback) {
  for (E e : all) {
    if (s == sdk::toString(e)) {
      return e;
    }
  }
  return fallback;
}

}  // namespace

std::string encodeList(const std::vector<std::string>& items) { return json(items).dump(); }

std::vector<std::string> decodeList(const std::string& text) {
  json j = parseOr(text, json::array());
  std::vector<std::string> out;
  if (j.is_array()) {
    for (const auto& v : j) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

std::string encodeMap(const std::map<std::string, std::string>& items) { return json(items).dump(); }

std::map<std::string, std::string> decodeMap(const std::string& text) {
  json j = parseOr(text, json::object());
  std::map<std::string, std::string> out;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (v.is_string()) {
        out[k] = v.get<std::string>();
      }
    }
  }
  return out;
}

std::string encodeShifts(const std::vector<sdk::Shift>& shifts) {
  json j = json::array();
  for (const auto& s : shifts) {
    j.push_back({s.weekday, s.startMinute, s.endMinute});
  }
  return j.dump();
}

std::vector<sdk::Shift> decodeShifts(const std::string& text) {
  json j = parseOr(text, json::array());
  std::vector<sdk::Shift> out;
  for (const auto& v : j) {
    if (v.is_array() && v.size() == 3) {
      out.push_back(sdk::Shift{v[0].get<int>(), v[1].get<int>(), v[2].get<int>()});
    }
  }
  return out;
}

std::string encodeExtra(const sdk::InboundMessage& m) {
  if (!m.media && !m.location && !m.contact) {
    return {};
  }
  json j = json::object();
  if (m.media) {
    j["media"] = mediaJson(*m.media);
  }
  if (m.location) {
    j["loc"] = {{"lat", m.location->latitude}, {"lon", m.location->longitude}, {"name", m.location->name},
                {"addr", m.location->address}};
  }
  if (m.contact) {
    j["card"] = {{"name", m.contact->displayName}, {"vcard", m.contact->vcard}};
  }
  return j.dump();
}

void decodeExtra(const std::string& text, sdk::InboundMessage& m) {
  json j = parseOr(text, json::object());
  if (j.contains("media")) {
    m.media = mediaFrom(j["media"]);
  }
  if (j.contains("loc")) {
    const auto& l = j["loc"];
    m.location = sdk::Location{l.value("lat", 0.0), l.value("lon", 0.0), l.value("name", ""), l.value("addr", "")};
  }
  if (j.contains("card")) {
    m.contact = sdk::ContactCard{j["card"].value("name", ""), j["card"].value("vcard", "")};
  }
}

std::string encodeCommand(const sdk::OutboundCommand& c) {
  json j = {{"id", c.commandId}, {"tenant", c.tenant}, {"account", c.account}, {"kind", sdk::toString(c.kind)},
            {"to", c.to}, {"conversation", c.conversation}, {"text", c.text}, {"template", c.templateName},
            {"params", c.templateParams}, {"replyTo", c.replyTo}, {"target", c.targetId},
            {"reaction", c.reaction}, {"agent", c.agent}, {"agentStatus", c.agentStatus},
            {"automatic", c.automatic}, {"origin", c.origin}, {"createdAt", c.createdAt}};
  if (c.media) {
    j["media"] = mediaJson(*c.media);
  }
  return j.dump();
}

sdk::Result<sdk::OutboundCommand> decodeCommand(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) {
    return sdk::Error::fatal("storage.bad_command", "a stored command is not valid JSON");
  }
  static constexpr sdk::CommandKind kKinds[] = {
      sdk::CommandKind::SendText, sdk::CommandKind::SendMedia, sdk::CommandKind::SendTemplate,
      sdk::CommandKind::SendReaction, sdk::CommandKind::MarkRead, sdk::CommandKind::Assign,
      sdk::CommandKind::Transfer, sdk::CommandKind::Close, sdk::CommandKind::SetAgentStatus,
      sdk::CommandKind::EditMessage, sdk::CommandKind::DeleteMessage};
  sdk::OutboundCommand c;
  c.commandId = j.value("id", "");
  c.tenant = j.value("tenant", sdk::kDefaultTenant);
  c.account = j.value("account", "");
  // A kind this build does not know (a newer daemon wrote it) is an error, never a guess: read as
  // send_text, an edit or a delete would go out as a new message.
  const std::string kind = j.value("kind", "");
  const auto* known = std::find_if(std::begin(kKinds), std::end(kKinds),
                                   [&](sdk::CommandKind k) { return kind == sdk::toString(k); });
  if (known == std::end(kKinds)) {
    return sdk::Error::fatal("storage.bad_command", "a stored command has an unknown kind \"" +
                                                        kind.substr(0, 32) + "\"");
  }
  c.kind = *known;
  c.to = j.value("to", "");
  c.conversation = j.value("conversation", "");
  c.text = j.value("text", "");
  c.templateName = j.value("template", "");
  if (j.contains("params") && j["params"].is_object()) {
    c.templateParams = j["params"].get<std::map<std::string, std::string>>();
  }
  c.replyTo = j.value("replyTo", "");
  c.targetId = j.value("target", "");
  c.reaction = j.value("reaction", "");
  c.agent = j.value("agent", "");
  c.agentStatus = j.value("agentStatus", "");
  c.automatic = j.value("automatic", false);
  c.origin = j.value("origin", "");
  c.createdAt = j.value("createdAt", sdk::TimestampMs{0});
  if (j.contains("media")) {
    c.media = mediaFrom(j["media"]);
  }
  return c;
}

sdk::MessageKind messageKindFrom(const std::string& s) {
  using K = sdk::MessageKind;
  static constexpr K kAll[] = {K::Text, K::Image, K::Video, K::Audio, K::Document, K::Sticker,
                               K::Location, K::ContactCard, K::Reaction, K::Edit, K::Delete, K::Unknown};
  return enumFrom(s, kAll, K::Unknown);
}

sdk::ConversationStatus conversationStatusFrom(const std::string& s) {
  using S = sdk::ConversationStatus;
  static constexpr S kAll[] = {S::Open, S::Pending, S::Closed};
  return enumFrom(s, kAll, S::Open);
}

sdk::AgentStatus agentStatusFrom(const std::string& s) {
  using S = sdk::AgentStatus;
  static constexpr S kAll[] = {S::Available, S::Busy, S::Away, S::Offline};
  return enumFrom(s, kAll, S::Offline);
}

sdk::ResultStage resultStageFrom(const std::string& s) {
  using S = sdk::ResultStage;
  static constexpr S kAll[] = {S::Accepted, S::Sent, S::Failed, S::Delivered, S::Read};
  return enumFrom(s, kAll, S::Accepted);
}

}  // namespace switchboard::host::storage
