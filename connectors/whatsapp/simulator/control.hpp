#pragma once

// The control commands of switchboard-wasim as JSON, shared by its stdin/stdout line protocol and
// its HTTP API: one request object in, one reply object out ({"ok":true,...} or
// {"ok":false,"error":{"code","message"}}). Commands are listed in README.md.

#include <nlohmann/json.hpp>

#include "simulator/simulator.hpp"

namespace switchboard::wasim {

nlohmann::json runControlCommand(Simulator& simulator, const nlohmann::json& request);
nlohmann::json eventToJson(const SimEvent& event);

}  // namespace switchboard::wasim
