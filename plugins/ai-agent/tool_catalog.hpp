#pragma once

// The tools an agent may offer the model: their names, what the model is told they do, and the
// JSON Schema of their arguments (checked before a call runs).

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace switchboard::aiagent {

struct ToolDefinition {
  std::string name;
  std::string description;
  nlohmann::json parameters;  ///< JSON Schema of the arguments object
};

/// Every tool the plugin can execute.
const std::vector<ToolDefinition>& toolCatalog();
bool isKnownTool(const std::string& name);
/// nullptr when unknown.
const ToolDefinition* findTool(const std::string& name);
/// The request's `tools` array for these tool names (unknown names are left out).
nlohmann::json toolsForRequest(const std::vector<std::string>& names);

}  // namespace switchboard::aiagent
