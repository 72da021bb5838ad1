#include "config/config_file.hpp"

#include <algorithm>
#include <set>

#include <yaml-cpp/yaml.h>

namespace switchboard::host {
namespace {

// Validates one list of plugin entries: its envelope keys, then each entry's `config` against the
// schema its library declares. `at` is the list's dotted path; `tenant` empty for `plugins:`.
void loadPluginList(const YAML::Node& plugins, const std::string& at, const std::string& tenant,
                    const PluginSchemaLookup& pluginSchema, std::set<std::string>& names, ValidationContext& ctx,
                    std::vector<PluginSpec>& out) {
  if (!plugins.IsDefined() || plugins.IsNull()) {
    return;
  }
  if (!plugins.IsSequence()) {
    ctx.fail(plugins, at, "expected a list of plugin entries (- name: ..., library: ..., config: ...)");
    return;
  }
  sdk::ConfigSchema entrySchema{{
      sdk::field::string("name", "Instance name, unique in this file").required(),
      sdk::field::string("library", "Plugin library name (looked up in the plugin directory) or path").required(),
      sdk::field::boolean("enabled", "Load and start this instance", true),
      sdk::field::make("config", sdk::ConfigType::Any, "The plugin's own settings", std::nullopt),
  }};
  for (std::size_t i = 0; i < plugins.size(); ++i) {
    const auto entry = plugins[i];
    const std::string entryAt = at + "[" + std::to_string(i) + "]";
    // Validate the envelope keys, then the plugin's own section against its schema.
    ValidationContext envelopeCtx{ctx.file, ctx.env, {}};
    auto envelope = validateSection(entry, entrySchema, entryAt, envelopeCtx);
    if (!envelopeCtx.errors.empty()) {
      ctx.errors.insert(ctx.errors.end(), envelopeCtx.errors.begin(), envelopeCtx.errors.end());
      continue;
    }
    PluginSpec spec;
    const auto entryName = envelope["name"].asString();
    spec.name = tenant.empty() ? entryName : tenantInstanceName(tenant, entryName);
    spec.tenant = tenant;
    spec.library = envelope["library"].asString();
    spec.enabled = envelope["enabled"].asBool(true);
    spec.line = entry.Mark().line + 1;
    spec.column = entry.Mark().column + 1;
    const std::string pathPrefix = (tenant.empty() ? "plugins." : "tenants." + tenant + ".plugins.") + entryName;
    if (!names.insert(spec.name).second) {
      ctx.fail(entry["name"], pathPrefix,
               tenant.empty() ? "duplicate plugin instance name"
                              : "duplicate plugin instance name \"" + spec.name +
                                    "\" (a tenant's instances are named <tenant>.<name>)");
      continue;
    }
    auto schema = pluginSchema(spec.library);
    if (!schema.ok()) {
      ctx.fail(entry["library"], pathPrefix + ".library", schema.error().message);
      continue;
    }
    spec.config = validateSection(entry["config"], schema.value(), pathPrefix + ".config", ctx);
    out.push_back(std::move(spec));
  }
}

// `tenants:` maps a tenant id to that tenant's plugin instances:
//   tenants:
//     acme:
//       enabled: true        # false stops every instance of the tenant
//       plugins: [ ... ]     # entries as in `plugins:`
void loadTenants(const YAML::Node& tenants, const PluginSchemaLookup& pluginSchema, std::set<std::string>& names,
                 ValidationContext& ctx, std::vector<PluginSpec>& out) {
  if (!tenants.IsDefined() || tenants.IsNull()) {
    return;
  }
  if (!tenants.IsMap()) {
    ctx.fail(tenants, "tenants", "expected a map of tenant ids to their sections (acme: { plugins: [...] })");
    return;
  }
  const sdk::ConfigSchema tenantSchema{{
      sdk::field::boolean("enabled", "Run this tenant's plugin instances", true),
      sdk::field::make("plugins", sdk::ConfigType::Any, "The tenant's plugin instances", std::nullopt),
  }};
  for (const auto& kv : tenants) {
    const auto tenant = kv.first.Scalar();
    const std::string at = "tenants." + tenant;
    if (!validTenantId(tenant)) {
      ctx.fail(kv.first, at, "invalid tenant id: 1 to 64 letters, digits, '.', '_' or '-'");
      continue;
    }
    if (kv.second.IsDefined() && !kv.second.IsNull() && !kv.second.IsMap()) {
      ctx.fail(kv.second, at, "expected a map with `plugins` (and optionally `enabled`)");
      continue;
    }
    ValidationContext tenantCtx{ctx.file, ctx.env, {}};
    auto section = validateSection(kv.second, tenantSchema, at, tenantCtx);
    if (!tenantCtx.errors.empty()) {
      ctx.errors.insert(ctx.errors.end(), tenantCtx.errors.begin(), tenantCtx.errors.end());
      continue;
    }
    std::vector<PluginSpec> specs;
    loadPluginList(kv.second["plugins"], at + ".plugins", tenant, pluginSchema, names, ctx, specs);
    const bool enabled = section["enabled"].asBool(true);
    for (auto& spec : specs) {
      spec.enabled = spec.enabled && enabled;
      out.push_back(std::move(spec));
    }
  }
}

}  // namespace

std::string tenantInstanceName(const std::string& tenant, const std::string& name) { return tenant + "." + name; }

bool validTenantId(const std::string& tenant) {
  if (tenant.empty() || tenant.size() > 64) {
    return false;
  }
  return std::all_of(tenant.begin(), tenant.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

void ConfigFile::addSection(std::string name, sdk::ConfigSchema schema) {
  sections_.emplace_back(std::move(name), std::move(schema));
}

std::optional<LoadedConfig> ConfigFile::load(const std::string& path, const PluginSchemaLookup& pluginSchema,
                                             ConfigErrors& errors,
                                             const std::function<void(const LoadedConfig&)>& beforePlugins,
                                             std::function<std::optional<std::string>(const std::string&)> env) const {
  ValidationContext ctx{path, std::move(env), {}};
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    errors.push_back({path, 0, 0, "", "cannot open the configuration file"});
    return std::nullopt;
  } catch (const YAML::ParserException& e) {
    errors.push_back({path, e.mark.line + 1, e.mark.column + 1, "", "YAML syntax error: " + e.msg});
    return std::nullopt;
  }
  if (!root.IsNull() && !root.IsMap()) {
    ctx.fail(root, "", "the configuration must be a map of sections");
    errors = std::move(ctx.errors);
    return std::nullopt;
  }

  LoadedConfig out;
  out.file = path;
  std::vector<std::string> known;
  for (const auto& [name, schema] : sections_) {
    known.push_back(name);
    out.sections[name] = validateSection(root[name], schema, name, ctx);
  }
  known.push_back("plugins");
  known.push_back("tenants");
  for (const auto& kv : root) {
    const auto key = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string msg = "unknown section";
      if (auto near = closestMatch(key, known); !near.empty()) {
        msg += " (did you mean \"" + near + "\"?)";
      }
      std::string list;
      for (const auto& k : known) {
        list += (list.empty() ? "" : ", ") + k;
      }
      ctx.fail(kv.first, key, msg + "; known sections: " + list);
    }
  }
  // Plugin entries are checked even when a section failed, so one run reports every problem.
  if (beforePlugins) {
    beforePlugins(out);
  }

  std::set<std::string> names;
  loadPluginList(root["plugins"], "plugins", "", pluginSchema, names, ctx, out.plugins);
  loadTenants(root["tenants"], pluginSchema, names, ctx, out.plugins);
  if (!ctx.errors.empty()) {
    errors = std::move(ctx.errors);
    return std::nullopt;
  }
  return out;
}

}  // namespace switchboard::host
