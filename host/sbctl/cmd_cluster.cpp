// sbctl cluster: which daemon runs which account (scale-out), and operators' control commands.

#include <iostream>

#include "http/url.hpp"
#include "sbctl/commands.hpp"
#include "sbctl/exit_codes.hpp"
#include "sbctl/table.hpp"

namespace switchboard::sbctl {

int cmdCluster(Invocation& in) {
  const auto& p = in.args.positional();
  if (p.size() == 3 &&
      (p[1] == "add" || p[1] == "remove" || p[1] == "pause" || p[1] == "resume" || p[1] == "move")) {
    // sbctl cluster pause ACCOUNT: a control record for the daemon that owns the account.
    json body = json::object();
    if (auto name = in.args.value("name")) {
      body["name"] = *name;
    }
    // sbctl cluster move ACCOUNT --to INSTANCE: the daemon (daemon.instance_id) to run it.
    if (auto to = in.args.value("to")) {
      body["to"] = *to;
    } else if (p[1] == "move") {
      std::cerr << "sbctl cluster move ACCOUNT --to INSTANCE: --to names the daemon that should run it\n";
      return kUsage;
    }
    auto a = in.api.call("POST", "/v1/cluster/accounts/" + http::percentEncode(p[2]) + "/" + p[1], body);
    if (!a.ok()) {
      return a.exit;
    }
    if (in.json) {
      printJson(a.body);
    } else {
      std::cout << p[1] << " " << p[2] << ": sent to the daemon that owns it\n";
    }
    return kOk;
  }
  if (p.size() != 1) {
    std::cerr << "usage: sbctl cluster [add|remove|pause|resume ACCOUNT [--name N] | move ACCOUNT --to INSTANCE]\n";
    return kUsage;
  }
  auto a = in.api.call("GET", "/v1/cluster");
  if (!a.ok()) {
    return a.exit;
  }
  if (in.json) {
    printJson(a.body);
    return kOk;
  }
  std::string held;
  for (const auto& partition : a.body.value("partitions", json::array())) {
    held += (held.empty() ? "" : ",") + std::to_string(partition.get<int>());
  }
  std::cout << "this daemon: " << field(a.body, "instance") << ", partitions [" << held << "] of "
            << a.body.value("partition_count", 0) << ", " << a.body.value("accounts", json::array()).size()
            << " accounts, " << a.body.value("fenced_writes", 0) << " stale writes refused\n";
  Table t({"ACCOUNT", "OWNER", "STATE", "GENERATION", "PARTITION", "SINCE"});
  for (const auto& o : a.body.value("owners", json::array())) {
    t.row({field(o, "account"), field(o, "owner").empty() ? "-" : field(o, "owner"), field(o, "state"),
           std::to_string(o.value("generation", 0LL)), std::to_string(o.value("partition", -1)),
           formatTime(o.value("updated_at", 0LL))});
  }
  t.print(std::cout);
  return kOk;
}

}  // namespace switchboard::sbctl
