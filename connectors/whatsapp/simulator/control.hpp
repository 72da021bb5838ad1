#pragma once

// The control commands of switchboard-wasim as JSON, shared by its stdin/stdout line protocol and
// its HTTP API: one request object in, one reply object out ({"ok":true,...} or
// {"ok":false,"error":{"code","message"}}). Commands are listed in README.md.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "simulator/simulator.hpp"

namespace switchboard::wasim {

nlohmann::json runControlCommand(Simulator& simulator, const nlohmann::json& request);
nlohmann::json eventToJson(const SimEvent& event);
/// The load-test commands (control_load.cpp); nothing when `cmd` is not one of them.
std::optional<nlohmann::json> runLoadCommand(Simulator& simulator, const std::string& cmd,
                                             const nlohmann::json& request);

}  // namespace switchboard::wasim
