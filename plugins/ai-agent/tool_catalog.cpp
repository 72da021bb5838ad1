#include "tool_catalog.hpp"

#include <algorithm>

namespace switchboard::aiagent {
namespace {

using json = nlohmann::json;

json objectSchema(json properties, std::vector<std::string> required) {
  return {{"type", "object"}, {"properties", std::move(properties)}, {"required", std::move(required)},
          {"additionalProperties", false}};
}

json text(std::size_t maxLength, const char* description) {
  return {{"type", "string"}, {"maxLength", maxLength}, {"description", description}};
}

json when(const char* description) {
  return {{"type", "string"}, {"minLength", 16}, {"maxLength", 40}, {"description", description}};
}

std::vector<ToolDefinition> build() {
  std::vector<ToolDefinition> tools;
  tools.push_back({"lookup_contact", "Read the customer's contact record: name, phone, tags, custom fields and lead score.",
                   objectSchema(json::object(), {})});
  tools.push_back(
      {"update_contact",
       "Update the customer's contact: name, tags to add or remove, custom fields, and a lead score from 0 to 100 "
       "when qualifying a lead.",
       objectSchema({{"name", text(128, "The customer's name")},
                     {"add_tags", {{"type", "array"}, {"maxItems", 16}, {"items", text(64, "A tag")}}},
                     {"remove_tags", {{"type", "array"}, {"maxItems", 16}, {"items", text(64, "A tag")}}},
                     {"fields",
                      {{"type", "object"}, {"additionalProperties", text(512, "A field value")},
                       {"description", "Custom fields to set"}}},
                     {"lead_score", {{"type", "integer"}, {"minimum", 0}, {"maximum", 100}}}},
                    {})});
  tools.push_back({"create_ticket", "Open a support ticket for the customer's problem.",
                   objectSchema({{"subject", text(200, "One line")},
                                 {"description", text(4000, "What happened")},
                                 {"priority", {{"type", "string"}, {"enum", {"low", "normal", "high", "urgent"}}}}},
                                {"subject"})});
  tools.push_back({"handover",
                   "Hand the conversation to a human agent or team when you cannot help or the customer asks for a "
                   "person. You stop answering afterwards.",
                   objectSchema({{"reason", text(500, "Why")},
                                 {"agent", text(128, "A person's agent id, if a specific one")},
                                 {"team", text(128, "A team (department), if a specific one")}},
                                {"reason"})});
  tools.push_back({"book_appointment",
                   "Book an appointment for the customer. The customer receives a confirmation message.",
                   objectSchema({{"start", when("ISO 8601 date and time with offset, e.g. 2026-12-01T10:00:00Z")},
                                 {"duration_minutes", {{"type", "integer"}, {"minimum", 5}, {"maximum", 1440}}},
                                 {"service", text(200, "What the appointment is for")},
                                 {"notes", text(1000, "Anything the calendar should know")}},
                                {"start"})});
  tools.push_back({"move_appointment", "Move one of the customer's appointments to another time.",
                   objectSchema({{"appointment_id", text(64, "The reference given at booking")},
                                 {"start", when("New ISO 8601 date and time with offset")}},
                                {"appointment_id", "start"})});
  tools.push_back({"cancel_appointment", "Cancel one of the customer's appointments.",
                   objectSchema({{"appointment_id", text(64, "The reference given at booking")},
                                 {"reason", text(500, "Why")}},
                                {"appointment_id"})});
  tools.push_back({"send_template", "Send the customer one of the business's approved message templates.",
                   objectSchema({{"name", text(128, "Template name")},
                                 {"parameters", {{"type", "object"}, {"additionalProperties", text(1000, "A value")}}}},
                                {"name"})});
  return tools;
}

}  // namespace

const std::vector<ToolDefinition>& toolCatalog() {
  static const std::vector<ToolDefinition> catalog = build();
  return catalog;
}

const ToolDefinition* findTool(const std::string& name) {
  const auto& c = toolCatalog();
  auto it = std::find_if(c.begin(), c.end(), [&](const ToolDefinition& t) { return t.name == name; });
  return it == c.end() ? nullptr : &*it;
}

bool isKnownTool(const std::string& name) { return findTool(name) != nullptr; }

nlohmann::json toolsForRequest(const std::vector<std::string>& names) {
  auto out = json::array();
  for (const auto& n : names) {
    if (const auto* t = findTool(n)) {
      out.push_back({{"type", "function"},
                     {"function", {{"name", t->name}, {"description", t->description}, {"parameters", t->parameters}}}});
    }
  }
  return out;
}

}  // namespace switchboard::aiagent
