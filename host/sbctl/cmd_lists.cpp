// sbctl agents, conversations, plugins, health.

#include <iostream>

#include "http/url.hpp"
#include "sbctl/commands.hpp"
#include "sbctl/table.hpp"

namespace switchboard::sbctl {
namespace {

std::string joined(const json& list) {
  std::string out;
  if (list.is_array()) {
    for (const auto& v : list) {
      if (v.is_string()) {
        out += (out.empty() ? "" : ",") + v.get<std::string>();
      }
    }
  }
  return out;
}

std::string query(Invocation& in, std::initializer_list<const char*> keys) {
  std::string q;
  for (const auto* k : keys) {
    if (auto v = in.args.value(k)) {
      q += (q.empty() ? "?" : "&") + std::string(k) + "=" + http::percentEncode(*v);
    }
  }
  return q;
}

}  // namespace

void printJson(const json& body) { std::cout << body.dump(2, ' ', false, json::error_handler_t::replace) << "\n"; }

std::string field(const json& object, const char* key) {
  if (!object.is_object()) {
    return "";
  }
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

int cmdAgents(Invocation& in) {
  const auto& p = in.args.positional();
  if (p.size() == 4 && p[1] == "status") {
    // sbctl agents status AGENT STATUS
    auto a = in.api.call("PUT", "/v1/agents/" + http::percentEncode(p[2]) + "/status", json{{"status", p[3]}});
    if (!a.ok()) {
      return a.exit;
    }
    if (in.json) {
      printJson(a.body);
    } else {
      std::cout << "agent " << p[2] << " is " << field(a.body, "status") << "\n";
    }
    return kOk;
  }
  if (p.size() != 1 && !(p.size() == 2 && p[1] == "list")) {
    std::cerr << "usage: sbctl agents [list [--status S] | status AGENT available|busy|away|offline]\n";
    return kUsage;
  }
  auto a = in.api.call("GET", "/v1/agents" + query(in, {"status"}));
  if (!a.ok()) {
    return a.exit;
  }
  if (in.json) {
    printJson(a.body);
    return kOk;
  }
  Table t({"AGENT", "NAME", "STATUS", "OPEN", "CAPACITY", "SKILLS", "LANGUAGES"});
  for (const auto& ag : a.body.value("items", json::array())) {
    t.row({field(ag, "id"), field(ag, "name"), field(ag, "status"), std::to_string(ag.value("open_conversations", 0)),
           std::to_string(ag.value("capacity", 0)), joined(ag.value("skills", json::array())),
           joined(ag.value("languages", json::array()))});
  }
  t.print(std::cout);
  return kOk;
}

int cmdConversations(Invocation& in) {
  const auto& p = in.args.positional();
  if (p.size() == 4 && p[1] == "bot") {
    // sbctl conversations bot CONVERSATION on|off
    if (p[3] != "on" && p[3] != "off") {
      std::cerr << "usage: sbctl conversations bot CONVERSATION on|off\n";
      return kUsage;
    }
    auto a = in.api.call("PUT", "/v1/conversations/" + http::percentEncode(p[2]) + "/bot", json{{"enabled", p[3] == "on"}});
    if (!a.ok()) {
      return a.exit;
    }
    if (in.json) {
      printJson(a.body);
    } else {
      std::cout << "automatic replies in " << p[2] << " are " << (a.body.value("bot_paused", false) ? "off" : "on")
                << "\n";
    }
    return kOk;
  }
  if (p.size() != 1 && !(p.size() == 2 && p[1] == "list")) {
    std::cerr << "usage: sbctl conversations [list [filters] | bot CONVERSATION on|off]\n";
    return kUsage;
  }
  auto a = in.api.call("GET", "/v1/conversations" + query(in, {"status", "assignee", "account", "tag", "q", "limit"}));
  if (!a.ok()) {
    return a.exit;
  }
  if (in.json) {
    printJson(a.body);
    return kOk;
  }
  Table t({"CONVERSATION", "ACCOUNT", "PEER", "ASSIGNEE", "STATUS", "TAGS", "LAST MESSAGE"});
  for (const auto& c : a.body.value("items", json::array())) {
    t.row({field(c, "id"), field(c, "account"), field(c, "peer"), field(c, "assignee").empty() ? "-" : field(c, "assignee"),
           field(c, "status"), joined(c.value("tags", json::array())), formatTime(c.value("last_message_at", 0LL))});
  }
  t.print(std::cout);
  return kOk;
}

int cmdPlugins(Invocation& in) {
  auto a = in.api.call("GET", "/v1/plugins");
  if (!a.ok()) {
    return a.exit;
  }
  if (in.json) {
    printJson(a.body);
    return kOk;
  }
  Table t({"PLUGIN", "LIBRARY", "VERSION", "STATE", "KINDS"});
  for (const auto& pl : a.body.value("items", json::array())) {
    t.row({field(pl, "name"), field(pl, "library"), field(pl, "version"), field(pl, "state"),
           joined(pl.value("kinds", json::array()))});
  }
  t.print(std::cout);
  return kOk;
}

int cmdHealth(Invocation& in) {
  auto a = in.api.call("GET", "/v1/health/ready", std::nullopt, {503});
  // 503 carries the same body: show it, and exit 2.
  if (a.status != 200 && a.status != 503) {
    return a.exit;
  }
  if (in.json) {
    printJson(a.body);
  } else {
    std::cout << "status: " << field(a.body, "status") << "\n";
    Table t({"COMPONENT", "OK", "DETAIL"});
    const auto& comps = a.body.value("components", json::object());
    for (const auto& [name, c] : comps.items()) {
      std::string detail = field(c, "detail");
      if (name == "sessions") {
        detail = std::to_string(c.value("connected", 0)) + " connected, " + std::to_string(c.value("not_connected", 0)) +
                 " not connected, " + std::to_string(c.value("not_linked", 0)) + " not linked";
      }
      t.row({name, c.value("ok", false) ? "yes" : "no", detail});
    }
    t.print(std::cout);
  }
  return a.status == 200 ? kOk : kApiError;
}

}  // namespace switchboard::sbctl
