#pragma once

// The daemon's YAML file: top-level sections each validated by the schema its component declares,
// and the `plugins` list, each entry validated by the schema its plugin library declares.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config_error.hpp"
#include "config/schema_validator.hpp"
#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::host {

/// One entry of `plugins:` (serving every tenant) or of `tenants.<id>.plugins:` (serving one).
struct PluginSpec {
  std::string name;      // instance name, unique; "<tenant>.<entry name>" for a tenant's instance
  std::string library;   // library name or path
  bool enabled = true;
  sdk::ConfigValue config;  // validated against the plugin's schema
  int line = 0, column = 0;
  /// The tenant whose messages, events, storage and commands the instance sees; empty: every tenant.
  std::string tenant;

  bool servesTenant(const std::string& t) const { return tenant.empty() || tenant == t; }
  /// Identity for reload decisions: library, tenant and validated config.
  std::string fingerprint() const {
    return library + "\n" + (enabled ? "1" : "0") + "\n" + tenant + "\n" + config.canonical();
  }
};

struct LoadedConfig {
  std::string file;
  std::map<std::string, sdk::ConfigValue> sections;  // validated, by section name
  std::vector<PluginSpec> plugins;  // `plugins:` first, then each tenant's, tenants in file order

  const sdk::ConfigValue& section(const std::string& name) const {
    static const sdk::ConfigValue empty;
    auto it = sections.find(name);
    return it == sections.end() ? empty : it->second;
  }
};

/// "<tenant>.<name>": the instance name of a tenant's plugin entry (one path segment, so the
/// instance's webhook route `/v1/hooks/<instance>/<name>` still works).
std::string tenantInstanceName(const std::string& tenant, const std::string& name);
/// A tenant id as the storage accepts it: 1 to 64 letters, digits, '.', '_' or '-'.
bool validTenantId(const std::string& tenant);

/// Resolves a plugin library name to its configuration schema (loading it if need be).
using PluginSchemaLookup = std::function<sdk::Result<sdk::ConfigSchema>(const std::string& library)>;

class ConfigFile {
 public:
  /// Declares a top-level section. Sections are validated in declaration order.
  void addSection(std::string name, sdk::ConfigSchema schema);

  /// Reads and validates `path`. On failure `errors` holds every problem found (not just the first).
  /// `beforePlugins` runs after the sections are valid and before plugin entries are checked, so the
  /// caller can set the plugin directory from the `daemon` section.
  std::optional<LoadedConfig> load(const std::string& path, const PluginSchemaLookup& pluginSchema,
                                   ConfigErrors& errors,
                                   const std::function<void(const LoadedConfig&)>& beforePlugins = {},
                                   std::function<std::optional<std::string>(const std::string&)> env = processEnv) const;

 private:
  std::vector<std::pair<std::string, sdk::ConfigSchema>> sections_;
};

}  // namespace switchboard::host
