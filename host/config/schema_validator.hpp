#pragma once

// Validates a YAML subtree against a declared ConfigSchema and produces the ConfigValue a component
// receives: defaults filled in, `${ENV}` substituted, `key_file` secrets read, and every problem
// reported with its file, line, column and dotted key.

#include <functional>
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "config/config_error.hpp"
#include "switchboard/sdk/config.hpp"

namespace switchboard::host {

namespace sdk = ::switchboard::sdk;

struct ValidationContext {
  std::string file;
  std::function<std::optional<std::string>(const std::string&)> env;  // environment lookup
  ConfigErrors errors;

  void fail(const YAML::Node& at, const std::string& key, const std::string& message);
};

/// Validates `node` (a map, or null/absent for "all defaults") against `schema` at dotted `path`.
sdk::ConfigValue validateSection(const YAML::Node& node, const sdk::ConfigSchema& schema, const std::string& path,
                                 ValidationContext& ctx);

/// The lookup of the real process environment.
std::optional<std::string> processEnv(const std::string& name);

}  // namespace switchboard::host
