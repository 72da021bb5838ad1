#include "config/config_file.hpp"

#include <set>

#include <yaml-cpp/yaml.h>

namespace switchboard::host {

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

  const auto plugins = root["plugins"];
  if (plugins.IsDefined() && !plugins.IsNull() && !plugins.IsSequence()) {
    ctx.fail(plugins, "plugins", "expected a list of plugin entries (- name: ..., library: ..., config: ...)");
  } else if (plugins.IsSequence()) {
    std::set<std::string> names;
    sdk::ConfigSchema entrySchema{{
        sdk::field::string("name", "Instance name, unique in this file").required(),
        sdk::field::string("library", "Plugin library name (looked up in the plugin directory) or path").required(),
        sdk::field::boolean("enabled", "Load and start this instance", true),
        sdk::field::make("config", sdk::ConfigType::Any, "The plugin's own settings", std::nullopt),
    }};
    for (std::size_t i = 0; i < plugins.size(); ++i) {
      const auto entry = plugins[i];
      const std::string at = "plugins[" + std::to_string(i) + "]";
      // Validate the envelope keys, then the plugin's own section against its schema.
      ValidationContext envelopeCtx{path, ctx.env, {}};
      auto envelope = validateSection(entry, entrySchema, at, envelopeCtx);
      if (!envelopeCtx.errors.empty()) {
        ctx.errors.insert(ctx.errors.end(), envelopeCtx.errors.begin(), envelopeCtx.errors.end());
        continue;
      }
      PluginSpec spec;
      spec.name = envelope["name"].asString();
      spec.library = envelope["library"].asString();
      spec.enabled = envelope["enabled"].asBool(true);
      spec.line = entry.Mark().line + 1;
      spec.column = entry.Mark().column + 1;
      const std::string pathPrefix = "plugins." + spec.name;
      if (!names.insert(spec.name).second) {
        ctx.fail(entry["name"], pathPrefix, "duplicate plugin instance name");
        continue;
      }
      auto schema = pluginSchema(spec.library);
      if (!schema.ok()) {
        ctx.fail(entry["library"], pathPrefix + ".library", schema.error().message);
        continue;
      }
      spec.config = validateSection(entry["config"], schema.value(), pathPrefix + ".config", ctx);
      out.plugins.push_back(std::move(spec));
    }
  }
  if (!ctx.errors.empty()) {
    errors = std::move(ctx.errors);
    return std::nullopt;
  }
  return out;
}

}  // namespace switchboard::host
