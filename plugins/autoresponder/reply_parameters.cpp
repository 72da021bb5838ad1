#include "reply_parameters.hpp"

#include "text_fold.hpp"

namespace switchboard::autoresponder {
namespace {

std::optional<std::string> capped(const std::string& value) {
  if (value.empty()) {
    return std::nullopt;
  }
  return std::string(utf8Prefix(value, kMaxParameterBytes));
}

std::optional<std::string> customField(const sdk::Contact* c, const std::string& field) {
  if (c == nullptr) {
    return std::nullopt;
  }
  auto it = c->fields.find(field);
  return it == c->fields.end() ? std::nullopt : capped(it->second);
}

std::optional<std::string> contactValue(const ParameterSources& s, const std::string& key) {
  const sdk::Contact* c = s.contact ? s.contact() : nullptr;
  if (key == "name" || key == "first_name") {
    std::string name = c != nullptr && !c->name.empty() ? c->name : s.message->senderName;
    if (key == "first_name") {
      name = name.substr(0, name.find(' '));
    }
    return capped(name);
  }
  if (key == "phone") {
    return c != nullptr ? capped(c->phone) : std::nullopt;
  }
  if (key == "language") {
    return c != nullptr ? capped(c->language) : std::nullopt;
  }
  if (key == "id") {
    return capped(s.conversation->contact);
  }
  if (key.rfind("fields.", 0) == 0) {
    return customField(c, key.substr(7));
  }
  return customField(c, key);
}

}  // namespace

std::optional<std::string> lookupParameter(const ParameterSources& s, const std::string& name) {
  const auto dot = name.find('.');
  if (dot == std::string::npos) {
    if (s.params != nullptr) {
      if (auto it = s.params->find(name); it != s.params->end()) {
        return it->second;  // configured by the operator: not cut
      }
    }
    if (auto field = customField(s.contact ? s.contact() : nullptr, name)) {
      return field;
    }
    if (name == "name" || name == "first_name" || name == "phone") {
      return contactValue(s, name);
    }
    return std::nullopt;
  }
  const auto ns = name.substr(0, dot);
  const auto key = name.substr(dot + 1);
  if (ns == "contact") {
    return contactValue(s, key);
  }
  if (ns == "conversation") {
    const auto& c = *s.conversation;
    if (key == "id") return capped(c.id);
    if (key == "account") return capped(c.account);
    if (key == "assignee") return capped(c.assignee);
    if (key == "peer") return capped(c.peer);
    return std::nullopt;
  }
  if (ns == "message") {
    const auto& m = *s.message;
    if (key == "text") return capped(m.text.empty() && m.media ? m.media->caption : m.text);
    if (key == "sender_name") return capped(m.senderName);
    if (key == "sender") return capped(m.sender);
    return std::nullopt;
  }
  if (ns == "match") {
    if (s.captures == nullptr) {
      return std::nullopt;
    }
    for (const auto& [group, value] : *s.captures) {
      if (group == key) {
        return capped(value);
      }
    }
    return std::nullopt;
  }
  if (ns == "hours") {
    if (s.schedule == nullptr) {
      return std::nullopt;
    }
    if (key == "next_open") {
      auto next = s.schedule->nextOpening(s.now);
      return next ? std::optional<std::string>(s.schedule->localText(*next)) : std::nullopt;
    }
    if (key == "schedule") return s.schedule->name();
    if (key == "time_zone") return s.schedule->timeZone();
    return std::nullopt;
  }
  return std::nullopt;
}

std::string explainMissingParameter(const ParameterSources& s, const std::string& name) {
  const auto dot = name.find('.');
  const auto ns = dot == std::string::npos ? std::string() : name.substr(0, dot);
  if (ns.empty()) {
    return "not among the reply's params, and the contact has no field of that name";
  }
  if (ns == "contact") {
    const sdk::Contact* c = s.contact ? s.contact() : nullptr;
    if (c == nullptr) {
      return "conversation " + s.conversation->id + " has no stored contact";
    }
    return "contact " + c->id + " has no " + name.substr(dot + 1);
  }
  if (ns == "match") {
    return s.captures == nullptr ? "only regex rules capture groups"
                                 : "the expression has no group " + name.substr(dot + 1) + " or it matched nothing";
  }
  if (ns == "hours") {
    return s.schedule == nullptr ? "only away rules have a schedule" : "the schedule never opens within a year";
  }
  if (ns == "conversation" || ns == "message") {
    return "the " + ns + " has no " + name.substr(dot + 1);
  }
  return "unknown parameter namespace \"" + ns + "\"";
}

}  // namespace switchboard::autoresponder
