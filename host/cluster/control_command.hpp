#pragma once

// Operators' commands on the `control` topic: add, remove, pause, resume or move one account.
// A record is canonical JSON, keyed by the account id (so it lands on the partition of the daemon
// that owns the account):
//   {"action": "pause", "account": "15551230001", "tenant": "default"}
//   {"action": "add", "account": "15551230002", "name": "Sales"}
//   {"action": "move", "account": "15551230001", "to": "switchboard-b"}
// Records come from the network: parsing is bounded and every problem is an error value.

#include <string>
#include <string_view>

#include "switchboard/sdk/result.hpp"

namespace switchboard::host::cluster {

enum class ControlAction { Add, Remove, Pause, Resume, Move };

struct ControlCommand {
  ControlAction action = ControlAction::Add;
  std::string account;
  std::string tenant = "default";
  std::string name;  // add: display name
  std::string to;    // move: instance id of the daemon that should run the account
};

/// Largest record accepted on `control`.
constexpr std::size_t kMaxControlRecord = 16 * 1024;

const char* toString(ControlAction action);
sdk::Result<ControlCommand> parseControlCommand(std::string_view json);
std::string encodeControlCommand(const ControlCommand& command);

}  // namespace switchboard::host::cluster
