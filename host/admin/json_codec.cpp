#include "admin/json_codec.hpp"

#include "admin/json_fields.hpp"

namespace switchboard::admin {

json toJson(const sdk::Contact& c) {
  return {{"id", c.id},       {"tenant", c.tenant},   {"phone", c.phone},         {"jid", c.jid},
          {"lid", c.lid},     {"name", c.name},       {"language", c.language},   {"vip", c.vip},
          {"opted_in", c.optedIn}, {"tags", c.tags},  {"fields", c.fields},       {"created_at", c.createdAt},
          {"updated_at", c.updatedAt}};
}

json toJson(const sdk::Agent& a) {
  json hours = json::array();
  for (const auto& s : a.hours) {
    hours.push_back({{"weekday", s.weekday}, {"start_minute", s.startMinute}, {"end_minute", s.endMinute}});
  }
  return {{"id", a.id},
          {"tenant", a.tenant},
          {"name", a.name},
          {"skills", a.skills},
          {"languages", a.languages},
          {"department", a.department},
          {"capacity", a.capacity},
          {"hours", hours},
          {"time_zone", a.timeZone},
          {"status", sdk::toString(a.status)},
          {"priority", a.priority},
          {"open_conversations", a.openConversations}};
}

json toJson(const sdk::Conversation& c) {
  return {{"id", c.id},
          {"tenant", c.tenant},
          {"account", c.account},
          {"contact", c.contact},
          {"peer", c.peer},
          {"assignee", c.assignee},
          {"status", sdk::toString(c.status)},
          {"priority", c.priority},
          {"tags", c.tags},
          {"created_at", c.createdAt},
          {"last_message_at", c.lastMessageAt},
          {"bot_paused", c.botPaused}};
}

json toJson(const sdk::StoredMessage& m) {
  return {{"id", m.id},
          {"conversation", m.conversation},
          {"account", m.account},
          {"direction", m.outbound ? "outbound" : "inbound"},
          {"kind", sdk::toString(m.kind)},
          {"text", m.text},
          {"network_id", m.networkId},
          {"status", m.status},
          {"automatic", m.automatic},
          {"timestamp", m.timestamp}};
}

json toJson(const sdk::MessageTemplate& t) {
  return {{"name", t.name}, {"language", t.language}, {"body", t.body}, {"category", t.category}};
}

json toJson(const sdk::Event& e) {
  return {{"type", e.type},
          {"tenant", e.tenant},
          {"account", e.account},
          {"conversation", e.conversation},
          {"subject", e.subject},
          {"attributes", e.attributes},
          {"timestamp", e.timestamp}};
}

json toJson(const sdk::CommandResult& r) {
  json j = {{"command_id", r.commandId}, {"tenant", r.tenant},       {"account", r.account},
            {"stage", sdk::toString(r.stage)}, {"network_id", r.networkId}, {"timestamp", r.timestamp}};
  if (r.stage == sdk::ResultStage::Failed) {
    j["reason"] = r.reason;
    j["error_code"] = r.errorCode;
  }
  return j;
}

json toJson(const host::AuditEntry& a) {
  return {{"id", a.id},         {"tenant", a.tenant}, {"actor", a.actor}, {"action", a.action},
          {"subject", a.subject}, {"detail", a.detail}, {"at", a.atMs}};
}

json toJson(const host::AccountRecord& a) {
  return {{"id", a.id},       {"tenant", a.tenant},          {"name", a.name},
          {"jid", a.jid},     {"state", a.state},            {"created_at", a.createdAtMs},
          {"updated_at", a.updatedAtMs}};
}

json toJson(const sdk::SessionStatus& s) {
  return {{"account", s.account}, {"tenant", s.tenant},   {"state", s.state},  {"jid", s.jid},
          {"push_name", s.pushName}, {"detail", s.detail}, {"since", s.since}};
}

std::optional<sdk::AgentStatus> parseAgentStatus(const std::string& s) {
  for (auto v : {sdk::AgentStatus::Available, sdk::AgentStatus::Busy, sdk::AgentStatus::Away, sdk::AgentStatus::Offline}) {
    if (s == sdk::toString(v)) {
      return v;
    }
  }
  return std::nullopt;
}

std::optional<sdk::ConversationStatus> parseConversationStatus(const std::string& s) {
  for (auto v : {sdk::ConversationStatus::Open, sdk::ConversationStatus::Pending, sdk::ConversationStatus::Closed}) {
    if (s == sdk::toString(v)) {
      return v;
    }
  }
  return std::nullopt;
}

sdk::Status readContact(const json& body, sdk::Contact& into) {
  JsonFields f(body);
  f.only({"id", "phone", "jid", "lid", "name", "language", "vip", "opted_in", "tags", "fields"});
  if (auto v = f.string("phone", false, 32)) {
    into.phone = *v;
  }
  if (auto v = f.string("jid", false, 256)) {
    into.jid = *v;
  }
  if (auto v = f.string("lid", false, 256)) {
    into.lid = *v;
  }
  if (auto v = f.string("name", false, 256)) {
    into.name = *v;
  }
  if (auto v = f.string("language", false, 32)) {
    into.language = *v;
  }
  if (auto v = f.boolean("vip")) {
    into.vip = *v;
  }
  if (auto v = f.boolean("opted_in")) {
    into.optedIn = *v;
  }
  if (auto v = f.strings("tags")) {
    into.tags = *v;
  }
  if (auto v = f.stringMap("fields")) {
    into.fields = *v;
  }
  (void)f.string("id", false, 256);  // accepted (matching the path) but never changes the id
  if (!f.ok()) {
    return f.error();
  }
  return sdk::okStatus();
}

sdk::Status readAgent(const json& body, sdk::Agent& into) {
  JsonFields f(body);
  f.only({"id", "name", "skills", "languages", "department", "capacity", "hours", "time_zone", "status", "priority"});
  if (auto v = f.string("name", false, 256)) {
    into.name = *v;
  }
  if (auto v = f.strings("skills")) {
    into.skills = *v;
  }
  if (auto v = f.strings("languages")) {
    into.languages = *v;
  }
  if (auto v = f.string("department", false, 256)) {
    into.department = *v;
  }
  if (auto v = f.integer("capacity", 0, 10000)) {
    into.capacity = static_cast<int>(*v);
  }
  if (auto v = f.string("time_zone", false, 64)) {
    into.timeZone = *v;
  }
  if (auto v = f.integer("priority", -1000, 1000)) {
    into.priority = static_cast<int>(*v);
  }
  if (auto v = f.string("status")) {
    if (auto s = parseAgentStatus(*v)) {
      into.status = *s;
    } else {
      f.fail("\"status\" must be one of available, busy, away, offline");
    }
  }
  if (const auto* hours = f.objects("hours")) {
    std::vector<sdk::Shift> shifts;
    for (const auto& h : *hours) {
      JsonFields s(h);
      s.only({"weekday", "start_minute", "end_minute"});
      auto day = s.integer("weekday", 0, 6, true);
      auto start = s.integer("start_minute", 0, 24 * 60, true);
      auto end = s.integer("end_minute", 0, 24 * 60, true);
      if (!s.ok()) {
        f.fail("hours: " + s.error().message);
        break;
      }
      shifts.push_back({static_cast<int>(*day), static_cast<int>(*start), static_cast<int>(*end)});
    }
    into.hours = std::move(shifts);
  }
  (void)f.string("id", false, 256);
  if (!f.ok()) {
    return f.error();
  }
  return sdk::okStatus();
}

sdk::Status readTemplate(const json& body, sdk::MessageTemplate& into) {
  JsonFields f(body);
  f.only({"name", "language", "body", "category"});
  if (auto v = f.string("language", false, 32)) {
    into.language = *v;
  }
  if (auto v = f.string("body", false, 64 * 1024)) {
    into.body = *v;
  }
  if (auto v = f.string("category", false, 64)) {
    into.category = *v;
  }
  (void)f.string("name", false, 256);
  if (!f.ok()) {
    return f.error();
  }
  if (into.body.empty()) {
    return sdk::Error::permanent("invalid", "\"body\" is required");
  }
  return sdk::okStatus();
}

}  // namespace switchboard::admin
