#include "cluster/control_command.hpp"

#include <nlohmann/json.hpp>

namespace switchboard::host::cluster {

namespace {

using nlohmann::json;

// Account and instance ids appear in logs and SQL keys: letters, digits, '.', '_', '-', '@'.
bool validId(const std::string& s) {
  return !s.empty() && s.size() <= 128 &&
         s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-@") ==
             std::string::npos;
}

sdk::Error bad(const std::string& why) { return sdk::Error::permanent("cluster.bad_command", "control record: " + why); }
// Unreadable as JSON: every reader of `control` sees the same; the tenant administration's
// consumer dead-letters these, so a record is dead-lettered once.
sdk::Error unreadable(const std::string& why) {
  return sdk::Error::permanent("cluster.unreadable", "control record: " + why);
}

}  // namespace

const char* toString(ControlAction action) {
  switch (action) {
    case ControlAction::Add:
      return "add";
    case ControlAction::Remove:
      return "remove";
    case ControlAction::Pause:
      return "pause";
    case ControlAction::Resume:
      return "resume";
    case ControlAction::Move:
      return "move";
  }
  return "?";
}

sdk::Result<ControlCommand> parseControlCommand(std::string_view text) {
  if (text.size() > kMaxControlRecord) {
    return unreadable(std::to_string(text.size()) + " bytes, more than " + std::to_string(kMaxControlRecord));
  }
  // No exceptions: a parse error yields a discarded value; depth is bounded by the size bound.
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return unreadable("not a JSON object");
  }
  auto text_of = [&doc](const char* key) -> std::optional<std::string> {
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_string()) {
      return std::nullopt;
    }
    return it->get<std::string>();
  };
  // Read alike by the tenant administration's parser, which dead-letters it.
  if (auto it = doc.find("action"); it != doc.end() && !it->is_null() &&
                                    (!it->is_string() || it->get_ref<const std::string&>().size() > 64)) {
    return unreadable("\"action\" must be a string of at most 64 characters");
  }
  ControlCommand c;
  const auto action = text_of("action");
  if (!action) {
    return bad("\"action\" (a string) is missing");
  }
  if (*action == "add") {
    c.action = ControlAction::Add;
  } else if (*action == "remove") {
    c.action = ControlAction::Remove;
  } else if (*action == "pause") {
    c.action = ControlAction::Pause;
  } else if (*action == "resume") {
    c.action = ControlAction::Resume;
  } else if (*action == "move") {
    c.action = ControlAction::Move;
  } else if (action->find('.') != std::string::npos) {
    // Namespaced actions ("tenant.create") belong to other consumers of `control`.
    return sdk::Error::permanent("cluster.not_ours", "control record: action \"" + action->substr(0, 32) +
                                                         "\" is for another component");
  } else {
    return bad("unknown action \"" + action->substr(0, 32) + "\"; one of add, remove, pause, resume, move");
  }
  c.account = text_of("account").value_or("");
  if (!validId(c.account)) {
    return bad("\"account\" must be 1 to 128 letters, digits, '.', '_', '-' or '@'");
  }
  if (auto t = text_of("tenant")) {
    if (!validId(*t)) {
      return bad("\"tenant\" must be 1 to 128 letters, digits, '.', '_', '-' or '@'");
    }
    c.tenant = *t;
  }
  c.name = text_of("name").value_or("");
  if (c.name.size() > 256) {
    return bad("\"name\" longer than 256 bytes");
  }
  if (c.action == ControlAction::Move) {
    c.to = text_of("to").value_or("");
    if (!validId(c.to)) {
      return bad("move needs \"to\", the instance id of a daemon");
    }
  }
  return c;
}

std::string encodeControlCommand(const ControlCommand& command) {
  json doc = {{"action", toString(command.action)}, {"account", command.account}, {"tenant", command.tenant}};
  if (!command.name.empty()) {
    doc["name"] = command.name;
  }
  if (!command.to.empty()) {
    doc["to"] = command.to;
  }
  return doc.dump();
}

}  // namespace switchboard::host::cluster
