// sbctl send --account A (--to N | --conversation C) (--text T | --template NAME [--param k=v]...)

#include <iostream>

#include "sbctl/commands.hpp"

namespace switchboard::sbctl {

int cmdSend(Invocation& in) {
  json body = json::object();
  for (const auto* key : {"account", "to", "conversation", "text", "template"}) {
    if (auto v = in.args.value(key)) {
      body[key] = *v;
    }
  }
  if (auto id = in.args.value("id")) {
    body["command_id"] = *id;
  }
  for (const auto& kv : in.args.values("param")) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::cerr << "sbctl: --param takes NAME=VALUE\n";
      return kUsage;
    }
    body["params"][kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  // A text may also come as the words after the command: sbctl send --account A --to N hello there
  const auto& p = in.args.positional();
  if (!body.contains("text") && !body.contains("template") && p.size() > 1) {
    std::string text;
    for (std::size_t i = 1; i < p.size(); ++i) {
      text += (i > 1 ? " " : "") + p[i];
    }
    body["text"] = text;
  }
  if ((!body.contains("to") && !body.contains("conversation")) || (!body.contains("text") && !body.contains("template"))) {
    std::cerr << "usage: sbctl send --account ACCOUNT (--to NUMBER | --conversation ID) (--text TEXT | TEXT... | "
                 "--template NAME [--param NAME=VALUE]...) [--id COMMAND_ID]\n";
    return kUsage;
  }
  auto a = in.api.call("POST", "/v1/messages", body);
  if (!a.ok()) {
    return a.exit;
  }
  if (in.json) {
    printJson(a.body);
  } else {
    std::cout << "accepted: command " << field(a.body, "command_id") << " (" << field(a.body, "stage") << ")\n";
  }
  return kOk;
}

}  // namespace switchboard::sbctl
