#pragma once

// The keys of the routing plugin's `config:` section. The host validates the YAML against this
// before the plugin exists, so an unknown key, a wrong type or an unknown strategy name is refused
// with file, line, column and key path, and `switchboardd --check-config` catches it too.

#include "switchboard/sdk/config.hpp"

namespace switchboard::routing {

switchboard::sdk::ConfigSchema routingSchema();

}  // namespace switchboard::routing
