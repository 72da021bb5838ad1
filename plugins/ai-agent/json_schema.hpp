#pragma once

// Checks a tool call's arguments against the tool's JSON Schema before anything runs. The subset
// the tools use: type (object, string, integer, number, boolean, array), properties, required,
// additionalProperties: false, enum, minimum/maximum, minLength/maxLength, maxItems, items. A
// model's invalid call is answered with the first problem found, as a sentence naming the path.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace switchboard::aiagent {

/// @return nullopt when `value` conforms to `schema`, otherwise what is wrong, e.g.
/// "arguments.start: must be a string".
std::optional<std::string> validateAgainstSchema(const nlohmann::json& value, const nlohmann::json& schema,
                                                 const std::string& path = "arguments");

}  // namespace switchboard::aiagent
