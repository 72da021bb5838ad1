#pragma once

// The keys of the campaigns plugin's configuration section (README.md documents each one).

#include <nlohmann/json.hpp>

#include "switchboard/sdk/config.hpp"

namespace switchboard::campaigns {

sdk::ConfigSchema configSchema();

/// A validated configuration value as JSON (campaign definitions in YAML are read by the same
/// parser as those posted to the admin routes).
nlohmann::json toJson(const sdk::ConfigValue& v);

}  // namespace switchboard::campaigns
