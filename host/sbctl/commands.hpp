#pragma once

// The sbctl commands. Each returns an exit code (exit_codes.hpp).

#include "sbctl/api_session.hpp"
#include "sbctl/cli_args.hpp"

namespace switchboard::sbctl {

struct Invocation {
  ApiSession& api;
  const CliArgs& args;
  bool json = false;  ///< --json: print the API's JSON, one document (tail: one event per line)
};

int cmdAccounts(Invocation& in);
int cmdPair(Invocation& in);
int cmdSend(Invocation& in);
int cmdAgents(Invocation& in);
int cmdConversations(Invocation& in);
int cmdTail(Invocation& in);
int cmdPlugins(Invocation& in);
int cmdHealth(Invocation& in);
int cmdTenants(Invocation& in);
int cmdCluster(Invocation& in);

/// Prints `body` as JSON (pretty) on stdout.
void printJson(const json& body);
/// A string field of a JSON object, "" when absent or not a string.
std::string field(const json& object, const char* key);

}  // namespace switchboard::sbctl
