#pragma once

// Rules stored through the admin API are JSON texts with the same keys as the YAML rules. This
// turns such a text into the value tree the host would have produced from YAML: parsed, checked
// against the same schema (unknown keys, types, ranges, allowed values, required keys) and with
// the defaults filled in, so one reader handles both sources.

#include <string>
#include <vector>

#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::autoresponder {

/// Parses a JSON text into a raw value tree (numbers become Int or Double).
sdk::Result<sdk::ConfigValue> parseJsonValue(const std::string& text);

/// Checks `raw` against `schema`; problems are appended to `errors` as "path: message".
/// Durations may be integers of milliseconds or strings such as "30m".
sdk::ConfigValue applySchema(const sdk::ConfigValue& raw, const sdk::ConfigSchema& schema, const std::string& path,
                             std::vector<std::string>& errors);

}  // namespace switchboard::autoresponder
