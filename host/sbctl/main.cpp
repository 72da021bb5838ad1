// sbctl: the command line over Switchboard's admin API, for people and scripts.

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "sbctl/commands.hpp"

using namespace switchboard::sbctl;

namespace {

constexpr const char* kUsageText = R"(Usage: sbctl [OPTIONS] COMMAND [ARGS]

Commands:
  accounts [list]                     accounts and their WhatsApp session state
  accounts add ACCOUNT [--name N]     create an account's session (then: sbctl pair ACCOUNT)
  accounts logout ACCOUNT             unlink the device and forget its credentials
  pair ACCOUNT [--phone NUMBER]       link an account: draws the QR code and waits until the phone
                                      scans it, or with --phone prints a pairing code to type on it
                                      [--wait SECONDS (180)] [--light: for light terminal backgrounds]
  send --account A --to NUMBER TEXT   send a text (or --text T, --conversation ID, --template NAME
                                      --param K=V ..., --id COMMAND_ID for idempotency)
  agents [list] [--status S]          agents with status and load
  agents status AGENT STATUS          set available, busy, away or offline
  conversations [--status S] [--assignee A] [--account A] [--tag T] [--q TEXT] [--limit N]
  conversations bot CONVERSATION on|off
                                      automatic replies (auto-responders, AI agents) on or off
  tail [--types PREFIX,...]           live events until Ctrl-C (e.g. --types message.,session.)
  plugins                             plugin instances and their state
  health                              readiness of the database, Kafka and the sessions
  tenants [list] | show T | create T [--name N] | suspend|resume T [--reason R]
          | quota T QUOTA LIMIT|none | delete T --yes
                                      tenants (an operator-wide admin token)
  cluster                             scale-out: this daemon's partitions and every account's owner
  cluster add|remove|pause|resume ACCOUNT [--name N]
                                      a control command, carried out by the account's owner
  cluster move ACCOUNT --to INSTANCE  run the account on that daemon (daemon.instance_id)

Options:
  --url URL           admin API base URL (SBCTL_URL; default http://127.0.0.1:8080)
  --token-file FILE   file holding the bearer token (SBCTL_TOKEN_FILE, or the token in SBCTL_TOKEN)
  --tenant T          act in tenant T (SBCTL_TENANT; tokens scoped to one tenant ignore it)
  --ca-file FILE      trust this CA for https:// (default: the system's); --insecure skips checks
  --timeout SECONDS   per request (default 30)
  --json              print the API's JSON instead of tables
  -h, --help          this text

Exit codes: 0 ok, 1 usage or local configuration, 2 API error (or not ready), 3 authentication or
permission refused, 4 API unreachable, 5 not found, 6 gave up waiting.
)";

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

bool readTokenFile(const std::string& path, std::string& token) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "sbctl: cannot read the token file " << path << "\n";
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  token = ss.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())) != 0) {
    token.pop_back();
  }
  if (token.empty()) {
    std::cerr << "sbctl: the token file " << path << " is empty\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  CliArgs args;
  const std::set<std::string> valued = {"url",  "token-file", "tenant",   "ca-file", "timeout",      "name",
                                        "connector", "phone", "wait",     "account", "to",           "conversation",
                                        "text", "template",   "param",    "id",      "status",       "assignee",
                                        "tag",  "q",          "limit",    "types",   "reason"};
  const std::set<std::string> flags = {"json", "insecure", "help", "light", "yes"};
  if (!args.parse(argc, argv, valued, flags)) {
    std::cerr << "sbctl: " << args.error() << "\n" << kUsageText;
    return kUsage;
  }
  const auto& p = args.positional();
  if (args.flag("help") || p.empty() || p[0] == "help") {
    std::cout << kUsageText;
    return p.empty() && !args.flag("help") ? kUsage : kOk;
  }

  Connection c;
  c.url = args.value("url").value_or(env("SBCTL_URL").empty() ? c.url : env("SBCTL_URL"));
  c.tenant = args.value("tenant").value_or(env("SBCTL_TENANT"));
  std::string tokenFile = args.value("token-file").value_or(env("SBCTL_TOKEN_FILE"));
  if (!tokenFile.empty()) {
    if (!readTokenFile(tokenFile, c.token)) {
      return kUsage;
    }
  } else {
    c.token = env("SBCTL_TOKEN");
  }
  if (auto ca = args.value("ca-file")) {
    c.client.tls.caFile = *ca;
  }
  c.client.tls.verify = !args.flag("insecure");
  if (auto t = args.value("timeout")) {
    char* end = nullptr;
    long seconds = std::strtol(t->c_str(), &end, 10);
    if (end == t->c_str() || *end != '\0' || seconds <= 0 || seconds > 3600) {
      std::cerr << "sbctl: --timeout takes a number of seconds (1 to 3600)\n";
      return kUsage;
    }
    c.client.timeout = std::chrono::seconds(seconds);
  } else {
    c.client.timeout = std::chrono::seconds(30);
  }
  c.client.userAgent = "sbctl";

  ApiSession api(c);
  Invocation in{api, args, args.flag("json")};
  static const std::map<std::string, int (*)(Invocation&)> commands = {
      {"accounts", cmdAccounts}, {"pair", cmdPair},       {"send", cmdSend},       {"agents", cmdAgents},
      {"conversations", cmdConversations}, {"tail", cmdTail}, {"plugins", cmdPlugins}, {"health", cmdHealth},
      {"tenants", cmdTenants},
      {"cluster", cmdCluster}};
  auto it = commands.find(p[0]);
  if (it == commands.end()) {
    std::cerr << "sbctl: unknown command \"" << p[0] << "\"\n" << kUsageText;
    return kUsage;
  }
  return it->second(in);
}
