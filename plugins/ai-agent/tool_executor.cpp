#include "tool_executor.hpp"

#include <algorithm>

#include "agent_commands.hpp"
#include "appointment_time.hpp"
#include "json_schema.hpp"
#include "tool_catalog.hpp"

namespace switchboard::aiagent {
namespace {

using json = nlohmann::json;

json error(const std::string& message) { return {{"ok", false}, {"error", message}}; }

std::string str(const json& args, const char* key, std::string fallback = "") {
  auto it = args.find(key);
  return it != args.end() && it->is_string() ? it->get<std::string>() : fallback;
}

json contactJson(const sdk::Contact& c) {
  json fields = json::object();
  for (const auto& [k, v] : c.fields) {
    fields[k] = v;
  }
  json j = {{"id", c.id}, {"name", c.name}, {"phone", c.phone}, {"language", c.language},
            {"vip", c.vip}, {"tags", c.tags}, {"fields", fields}};
  if (auto it = c.fields.find("lead_score"); it != c.fields.end()) {
    j["lead_score"] = it->second;
  }
  return j;
}

sdk::Result<sdk::Contact> currentContact(const TurnScope& s) {
  if (s.conversation.contact.empty()) {
    return sdk::Error::permanent("ai.no_contact", "the conversation has no contact");
  }
  auto c = s.storage.getContact(s.conversation.contact);
  if (!c.ok()) {
    return c.takeError();
  }
  if (!c.value()) {
    return sdk::Error::permanent("ai.no_contact", "contact " + s.conversation.contact + " is not stored");
  }
  return *c.value();
}

std::string changedFields(const sdk::Contact& before, const sdk::Contact& after) {
  std::string out;
  auto note = [&out](bool differs, const char* name) {
    if (differs) {
      out += (out.empty() ? "" : ",") + std::string(name);
    }
  };
  note(before.name != after.name, "name");
  note(before.tags != after.tags, "tags");
  note(before.fields != after.fields, "fields");
  return out;
}

ToolOutcome updateContact(const TurnScope& s, const json& args) {
  auto contact = currentContact(s);
  if (!contact.ok()) {
    return {error(contact.error().message), true, false};
  }
  const auto before = contact.value();
  auto c = before;
  if (auto name = str(args, "name"); !name.empty()) {
    c.name = name;
  }
  if (auto add = args.find("add_tags"); add != args.end()) {
    for (const auto& t : *add) {
      if (std::find(c.tags.begin(), c.tags.end(), t.get<std::string>()) == c.tags.end()) {
        c.tags.push_back(t.get<std::string>());
      }
    }
  }
  if (auto remove = args.find("remove_tags"); remove != args.end()) {
    for (const auto& t : *remove) {
      c.tags.erase(std::remove(c.tags.begin(), c.tags.end(), t.get<std::string>()), c.tags.end());
    }
  }
  if (auto fields = args.find("fields"); fields != args.end()) {
    for (const auto& [k, v] : fields->items()) {
      if (k.size() <= 64) {
        c.fields[k] = v.get<std::string>();
      }
    }
  }
  if (auto score = args.find("lead_score"); score != args.end()) {
    c.fields["lead_score"] = std::to_string(score->get<long long>());
    c.fields["lead_scored_by"] = s.agent.name;
  }
  auto stored = s.storage.upsertContact(c);
  if (!stored.ok()) {
    return {error("the contact could not be stored: " + stored.error().message), true, false};
  }
  const auto changed = changedFields(before, stored.value());
  if (!changed.empty()) {
    publishEvent(s.ctx, s.message, s.conversation, "contact.updated", stored->id,
                 {{"changed", changed}, {"origin", s.ctx.instanceName() + "/" + s.agent.name}}, s.now);
  }
  return {{{"ok", true}, {"contact", contactJson(stored.value())}}, true, false};
}

ToolOutcome createTicket(const TurnScope& s, const json& args, const std::string& step) {
  const auto id = shortId("T-", s.ctx.instanceName() + "|" + s.message.id + "|" + step);
  publishEvent(s.ctx, s.message, s.conversation, "ticket.created", id,
               {{"subject", str(args, "subject")},
                {"description", str(args, "description")},
                {"priority", str(args, "priority", "normal")},
                {"contact", s.conversation.contact},
                {"agent", s.agent.name}},
               s.now);
  return {{{"ok", true}, {"ticket_id", id}}, true, false};
}

json loadAppointment(const TurnScope& s, const std::string& id) {
  auto stored = s.storage.getState(s.ctx.instanceName(), "appointments/" + id);
  if (!stored.ok() || !stored.value()) {
    return nullptr;
  }
  auto j = json::parse(*stored.value(), nullptr, false);
  return j.is_object() ? j : json(nullptr);
}

// The reminder is a state row keyed by its due time, so a scan by prefix finds the due ones in order.
std::string reminderKey(std::int64_t dueMs, const std::string& id) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%015lld", static_cast<long long>(dueMs));
  return "reminders/" + std::string(buf) + "/" + id;
}

void scheduleReminder(const TurnScope& s, const json& appointment) {
  const auto before = s.settings.appointments.reminderBefore.count();
  const auto start = appointment.value("start_ms", std::int64_t{0});
  if (before <= 0 || start - before <= s.now) {
    return;
  }
  (void)s.storage.putState(s.ctx.instanceName(), reminderKey(start - before, appointment.value("id", "")),
                           appointment.dump());
}

void dropReminder(const TurnScope& s, const json& appointment) {
  const auto before = s.settings.appointments.reminderBefore.count();
  const auto start = appointment.value("start_ms", std::int64_t{0});
  if (before > 0) {
    (void)s.storage.deleteState(s.ctx.instanceName(), reminderKey(start - before, appointment.value("id", "")));
  }
}

std::map<std::string, std::string> appointmentValues(const json& a) {
  return {{"id", a.value("id", "")},
          {"when", formatUtc(a.value("start_ms", std::int64_t{0}))},
          {"service", a.value("service", "")},
          {"minutes", std::to_string(a.value("minutes", 0))}};
}

// The calendar consumes "calendar.command" records; "appointment.*" records tell everyone else.
void announceAppointment(const TurnScope& s, const std::string& type, const std::string& action, const json& a) {
  std::map<std::string, std::string> attrs = {{"start", a.value("start", "")},
                                              {"start_ms", std::to_string(a.value("start_ms", std::int64_t{0}))},
                                              {"minutes", std::to_string(a.value("minutes", 0))},
                                              {"service", a.value("service", "")},
                                              {"notes", a.value("notes", "")},
                                              {"contact", a.value("contact", "")},
                                              {"status", a.value("status", "")},
                                              {"agent", s.agent.name}};
  publishEvent(s.ctx, s.message, s.conversation, type, a.value("id", ""), attrs, s.now);
  attrs["action"] = action;
  publishEvent(s.ctx, s.message, s.conversation, "calendar.command", a.value("id", ""), attrs, s.now);
}

ToolOutcome confirmAndReport(const TurnScope& s, const json& a, const std::string& text, const std::string& step) {
  auto st = submit(s.ctx, agentText(s.message, s.conversation, s.ctx.instanceName(), s.agent.name, step,
                                    fillPlaceholders(text, appointmentValues(a)), s.now));
  json out = {{"ok", true}, {"appointment", a}, {"customer_notified", st.ok()}};
  return {out, true, false};
}

ToolOutcome bookAppointment(const TurnScope& s, const json& args, const std::string& step) {
  auto start = parseIsoTime(str(args, "start"));
  if (!start) {
    return {error("start must be an ISO 8601 date and time with an offset, e.g. 2026-12-01T10:00:00Z"), true, false};
  }
  if (*start <= s.now) {
    return {error("start is in the past (now is " + formatUtc(s.now) + ")"), true, false};
  }
  json a = {{"id", shortId("A-", s.ctx.instanceName() + "|" + s.message.id + "|" + step)},
            {"start", str(args, "start")},
            {"start_ms", *start},
            {"minutes", args.value("duration_minutes", s.settings.appointments.defaultMinutes)},
            {"service", str(args, "service", "appointment")},
            {"notes", str(args, "notes")},
            {"contact", s.conversation.contact},
            {"conversation", s.conversation.id},
            {"account", s.message.account},
            {"to", s.message.chat},
            {"tenant", s.message.tenant},
            {"status", "booked"}};
  if (auto put = s.storage.putState(s.ctx.instanceName(), "appointments/" + a["id"].get<std::string>(), a.dump());
      !put.ok()) {
    return {error("the appointment could not be stored: " + put.error().message), true, false};
  }
  scheduleReminder(s, a);
  announceAppointment(s, "appointment.booked", "book", a);
  return confirmAndReport(s, a, s.settings.appointments.confirmation, step + ":confirm");
}

ToolOutcome changeAppointment(const TurnScope& s, const json& args, const std::string& step, bool cancel) {
  const auto id = str(args, "appointment_id");
  auto a = loadAppointment(s, id);
  if (a.is_null() || a.value("conversation", "") != s.conversation.id) {
    return {error("no appointment " + id + " in this conversation"), true, false};
  }
  if (a.value("status", "") == "cancelled") {
    return {error("appointment " + id + " is already cancelled"), true, false};
  }
  dropReminder(s, a);
  if (cancel) {
    a["status"] = "cancelled";
    a["notes"] = str(args, "reason", a.value("notes", ""));
  } else {
    auto start = parseIsoTime(str(args, "start"));
    if (!start || *start <= s.now) {
      return {error("start must be a future ISO 8601 date and time with an offset"), true, false};
    }
    a["start"] = str(args, "start");
    a["start_ms"] = *start;
    a["status"] = "booked";
  }
  if (auto put = s.storage.putState(s.ctx.instanceName(), "appointments/" + id, a.dump()); !put.ok()) {
    return {error("the appointment could not be stored: " + put.error().message), true, false};
  }
  if (!cancel) {
    scheduleReminder(s, a);
  }
  announceAppointment(s, cancel ? "appointment.cancelled" : "appointment.moved", cancel ? "cancel" : "move", a);
  return confirmAndReport(s, a, cancel ? s.settings.appointments.cancelled : s.settings.appointments.moved,
                          step + (cancel ? ":cancelled" : ":moved"));
}

ToolOutcome sendTemplate(const TurnScope& s, const json& args, const std::string& step) {
  const auto name = str(args, "name");
  auto t = s.storage.getTemplate(name);
  if (!t.ok()) {
    return {error("templates cannot be read now: " + t.error().message), true, false};
  }
  if (!t.value()) {
    return {error("no template named \"" + name + "\""), true, false};
  }
  auto c = agentText(s.message, s.conversation, s.ctx.instanceName(), s.agent.name, step, "", s.now);
  c.kind = sdk::CommandKind::SendTemplate;
  c.templateName = name;
  if (auto p = args.find("parameters"); p != args.end()) {
    for (const auto& [k, v] : p->items()) {
      c.templateParams[k] = v.get<std::string>();
    }
  }
  auto st = submit(s.ctx, c);
  if (!st.ok()) {
    return {error("the template was not sent: " + st.error().message), true, false};
  }
  return {{{"ok", true}, {"sent", name}}, true, false};
}

}  // namespace

sdk::Status submit(sdk::PluginContext& ctx, const sdk::OutboundCommand& command) {
  auto r = ctx.outbound().submit(command);
  if (!r.ok()) {
    ctx.logger().warn("command refused command_id=" + command.commandId + " error=\"" + r.error().describe() + "\"");
    return r.takeError();
  }
  return {};
}

void publishEvent(sdk::PluginContext& ctx, const sdk::InboundMessage& m, const sdk::Conversation& c,
                  const std::string& type, const std::string& subject, std::map<std::string, std::string> attributes,
                  sdk::TimestampMs now) {
  sdk::Event e;
  e.type = type;
  e.tenant = m.tenant;
  e.account = m.account;
  e.conversation = c.id;
  e.subject = subject;
  e.attributes = std::move(attributes);
  e.attributes["instance"] = ctx.instanceName();
  e.timestamp = now;
  ctx.inbound().event(e);
}

sdk::Result<nlohmann::json> handOver(const TurnScope& s, const std::string& reason, std::string person,
                                     std::string team) {
  if (person.empty() && team.empty()) {
    person = s.agent.handover.agent;
    team = s.agent.handover.team;
  }
  if (person.empty() && !team.empty()) {
    auto agents = s.storage.listAgents();
    if (!agents.ok()) {
      return agents.takeError();
    }
    const sdk::Agent* best = nullptr;
    for (const auto& a : agents.value()) {
      if (a.department == team && a.status == sdk::AgentStatus::Available && a.openConversations < a.capacity &&
          (!best || a.openConversations < best->openConversations)) {
        best = &a;
      }
    }
    if (best) {
      person = best->id;
    }
  }
  json out = {{"ok", true}, {"reason", reason}};
  if (!person.empty()) {
    SB_TRY(submit(s.ctx, agentAssign(s.message, s.conversation, s.ctx.instanceName(), s.agent.name, person, s.now)));
    out["assigned_to"] = person;
  } else {
    // Nobody free: queued for a person, and routing sees which team it wants.
    // The tags as stored now (classification may have changed them during this turn).
    auto current = s.storage.getConversation(s.conversation.id);
    auto tags = current.ok() && current.value() ? current.value()->tags : s.conversation.tags;
    for (std::string t : {std::string("needs-human"), team.empty() ? std::string() : "team:" + team}) {
      if (!t.empty() && std::find(tags.begin(), tags.end(), t) == tags.end()) {
        tags.push_back(t);
      }
    }
    SB_TRY(s.storage.setConversationTags(s.conversation.id, tags));
    out["queued"] = true;
  }
  json state = {{"at", s.now}, {"reason", reason}, {"agent", s.agent.name}, {"assigned_to", person}};
  SB_TRY(s.storage.putState(s.ctx.instanceName(), "handover/" + s.conversation.id, state.dump()));
  if (!s.agent.handover.message.empty()) {
    (void)submit(s.ctx, agentText(s.message, s.conversation, s.ctx.instanceName(), s.agent.name, "handover-message",
                                  s.agent.handover.message, s.now));
  }
  publishEvent(s.ctx, s.message, s.conversation, "ai.handover", s.conversation.id,
               {{"agent", s.agent.name}, {"reason", reason}, {"assigned_to", person}, {"team", team}}, s.now);
  return out;
}

ToolOutcome runTool(const TurnScope& s, const ToolCall& call, const std::string& step) {
  if (std::find(s.agent.tools.begin(), s.agent.tools.end(), call.name) == s.agent.tools.end()) {
    return {error("there is no tool named \"" + call.name.substr(0, 64) + "\" for you"), false, false};
  }
  const auto* tool = findTool(call.name);
  json args = call.arguments.empty() ? json::object() : json::parse(call.arguments, nullptr, false);
  if (args.is_discarded()) {
    return {error("the arguments are not valid JSON; call " + call.name + " again with a JSON object"), false, false};
  }
  if (auto problem = validateAgainstSchema(args, tool->parameters)) {
    return {error("invalid arguments: " + *problem), false, false};
  }
  if (call.name == "lookup_contact") {
    auto c = currentContact(s);
    return {c.ok() ? json{{"ok", true}, {"contact", contactJson(c.value())}} : error(c.error().message), true, false};
  }
  if (call.name == "update_contact") {
    return updateContact(s, args);
  }
  if (call.name == "create_ticket") {
    return createTicket(s, args, step);
  }
  if (call.name == "handover") {
    auto r = handOver(s, str(args, "reason"), str(args, "agent"), str(args, "team"));
    if (!r.ok()) {
      return {error("the hand-over failed: " + r.error().message), true, false};
    }
    return {r.value(), true, true};
  }
  if (call.name == "book_appointment") {
    return bookAppointment(s, args, step);
  }
  if (call.name == "move_appointment") {
    return changeAppointment(s, args, step, /*cancel=*/false);
  }
  if (call.name == "cancel_appointment") {
    return changeAppointment(s, args, step, /*cancel=*/true);
  }
  if (call.name == "send_template") {
    return sendTemplate(s, args, step);
  }
  return {error("tool " + call.name + " is not implemented"), false, false};
}

}  // namespace switchboard::aiagent
