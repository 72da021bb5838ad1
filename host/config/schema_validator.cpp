#include "config/schema_validator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "config/scalar_parsing.hpp"

namespace switchboard::host {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    out += (out.empty() ? "" : ", ") + s;
  }
  return out;
}

std::string childPath(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

const char* typeName(sdk::ConfigType t) {
  switch (t) {
    case sdk::ConfigType::Bool: return "a boolean";
    case sdk::ConfigType::Int: return "an integer";
    case sdk::ConfigType::Double: return "a number";
    case sdk::ConfigType::String: return "a string";
    case sdk::ConfigType::Duration: return "a duration";
    case sdk::ConfigType::StringList: return "a list of strings";
    case sdk::ConfigType::Object: return "a map";
    case sdk::ConfigType::ObjectList: return "a list of maps";
    case sdk::ConfigType::StringMap: return "a map of strings";
    case sdk::ConfigType::Any: return "any value";
  }
  return "a value";
}

// Scalar text with ${ENV} substituted; nullopt (and an error) on failure.
std::optional<std::string> scalarText(const YAML::Node& node, const std::string& path, ValidationContext& ctx) {
  std::string out;
  if (auto err = substituteEnv(node.Scalar(), out, ctx.env); !err.empty()) {
    ctx.fail(node, path, err);
    return std::nullopt;
  }
  return out;
}

std::string describeRange(const sdk::ConfigField& f) {
  auto fmt = [&](double v) {
    if (f.type == sdk::ConfigType::Duration) {
      return std::to_string(static_cast<long long>(v)) + "ms";
    }
    if (std::floor(v) == v && std::fabs(v) < 1e15) {
      return std::to_string(static_cast<long long>(v));
    }
    return std::to_string(v);
  };
  if (f.min && f.max) {
    return "between " + fmt(*f.min) + " and " + fmt(*f.max);
  }
  if (f.min) {
    return "at least " + fmt(*f.min);
  }
  return "at most " + fmt(*f.max);
}

bool checkRange(const sdk::ConfigField& f, double v, const YAML::Node& at, const std::string& path,
                ValidationContext& ctx) {
  if ((f.min && v < *f.min) || (f.max && v > *f.max)) {
    ctx.fail(at, path, "value out of range: must be " + describeRange(f));
    return false;
  }
  return true;
}

sdk::ConfigValue anyValue(const YAML::Node& node, const std::string& path, ValidationContext& ctx) {
  if (node.IsScalar()) {
    return sdk::ConfigValue::ofString(scalarText(node, path, ctx).value_or(""));
  }
  if (node.IsSequence()) {
    sdk::ConfigValue::List list;
    for (std::size_t i = 0; i < node.size(); ++i) {
      list.push_back(anyValue(node[i], path + "[" + std::to_string(i) + "]", ctx));
    }
    return sdk::ConfigValue::ofList(std::move(list));
  }
  if (node.IsMap()) {
    sdk::ConfigValue::Map map;
    for (const auto& kv : node) {
      const auto key = kv.first.as<std::string>();
      map[key] = anyValue(kv.second, childPath(path, key), ctx);
    }
    return sdk::ConfigValue::ofMap(std::move(map));
  }
  return {};
}

sdk::ConfigValue validateValue(const YAML::Node& node, const sdk::ConfigField& f, const std::string& path,
                               ValidationContext& ctx);

sdk::ConfigValue validateScalar(const YAML::Node& node, const sdk::ConfigField& f, const std::string& path,
                                ValidationContext& ctx) {
  if (!node.IsScalar()) {
    ctx.fail(node, path, std::string("expected ") + typeName(f.type));
    return {};
  }
  auto text = scalarText(node, path, ctx);
  if (!text) {
    return {};
  }
  std::string err;
  switch (f.type) {
    case sdk::ConfigType::Bool: {
      bool b = false;
      if ((err = parseBool(*text, b)).empty()) {
        return sdk::ConfigValue::ofBool(b);
      }
      break;
    }
    case sdk::ConfigType::Int: {
      std::int64_t i = 0;
      if ((err = parseInt(*text, i)).empty()) {
        return checkRange(f, static_cast<double>(i), node, path, ctx) ? sdk::ConfigValue::ofInt(i) : sdk::ConfigValue{};
      }
      break;
    }
    case sdk::ConfigType::Double: {
      double d = 0;
      if ((err = parseDouble(*text, d)).empty()) {
        return checkRange(f, d, node, path, ctx) ? sdk::ConfigValue::ofDouble(d) : sdk::ConfigValue{};
      }
      break;
    }
    case sdk::ConfigType::Duration: {
      std::chrono::milliseconds ms{};
      if ((err = parseDuration(*text, ms)).empty()) {
        return checkRange(f, static_cast<double>(ms.count()), node, path, ctx) ? sdk::ConfigValue::ofInt(ms.count())
                                                                               : sdk::ConfigValue{};
      }
      break;
    }
    default: {  // String
      if (!f.allowed.empty() && std::find(f.allowed.begin(), f.allowed.end(), *text) == f.allowed.end()) {
        std::string msg = "unknown value \"" + *text + "\"";
        if (auto near = closestMatch(*text, f.allowed); !near.empty()) {
          msg += " (did you mean \"" + near + "\"?)";
        }
        ctx.fail(node, path, msg + "; allowed: " + join(f.allowed));
        return {};
      }
      return sdk::ConfigValue::ofString(*text);
    }
  }
  ctx.fail(node, path, err);
  return {};
}

sdk::ConfigValue validateValue(const YAML::Node& node, const sdk::ConfigField& f, const std::string& path,
                               ValidationContext& ctx) {
  switch (f.type) {
    case sdk::ConfigType::StringList: {
      sdk::ConfigValue::List list;
      if (node.IsScalar()) {
        list.push_back(sdk::ConfigValue::ofString(scalarText(node, path, ctx).value_or("")));
      } else if (node.IsSequence()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
          const auto itemPath = path + "[" + std::to_string(i) + "]";
          if (!node[i].IsScalar()) {
            ctx.fail(node[i], itemPath, "expected a string");
            continue;
          }
          list.push_back(sdk::ConfigValue::ofString(scalarText(node[i], itemPath, ctx).value_or("")));
        }
      } else if (!node.IsNull()) {
        ctx.fail(node, path, "expected a list of strings");
      }
      return sdk::ConfigValue::ofList(std::move(list));
    }
    case sdk::ConfigType::Object:
      return validateSection(node, *f.fields, path, ctx);
    case sdk::ConfigType::ObjectList: {
      sdk::ConfigValue::List list;
      if (node.IsSequence()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
          list.push_back(validateSection(node[i], *f.fields, path + "[" + std::to_string(i) + "]", ctx));
        }
      } else if (!node.IsNull()) {
        ctx.fail(node, path, "expected a list of maps");
      }
      return sdk::ConfigValue::ofList(std::move(list));
    }
    case sdk::ConfigType::StringMap: {
      sdk::ConfigValue::Map map;
      if (node.IsMap()) {
        for (const auto& kv : node) {
          const auto key = kv.first.as<std::string>();
          if (!kv.second.IsScalar()) {
            ctx.fail(kv.second, childPath(path, key), "expected a scalar value");
            continue;
          }
          map[key] = sdk::ConfigValue::ofString(scalarText(kv.second, childPath(path, key), ctx).value_or(""));
        }
      } else if (!node.IsNull()) {
        ctx.fail(node, path, "expected a map of strings");
      }
      return sdk::ConfigValue::ofMap(std::move(map));
    }
    case sdk::ConfigType::Any:
      return anyValue(node, path, ctx);
    default:
      return validateScalar(node, f, path, ctx);
  }
}

}  // namespace

void ValidationContext::fail(const YAML::Node& at, const std::string& key, const std::string& message) {
  ConfigError e;
  e.file = file;
  const auto mark = at.IsDefined() ? at.Mark() : YAML::Mark::null_mark();
  if (mark.line >= 0) {
    e.line = mark.line + 1;
    e.column = mark.column + 1;
  }
  e.key = key;
  e.message = message;
  errors.push_back(std::move(e));
}

std::optional<std::string> processEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? std::optional<std::string>(v) : std::nullopt;
}

sdk::ConfigValue validateSection(const YAML::Node& node, const sdk::ConfigSchema& schema, const std::string& path,
                                 ValidationContext& ctx) {
  sdk::ConfigValue::Map out;
  const bool present = node.IsDefined() && !node.IsNull();
  if (present && !node.IsMap()) {
    ctx.fail(node, path, "expected a map of keys");
    return sdk::ConfigValue::ofMap({});
  }
  auto findField = [&](const std::string& name) -> const sdk::ConfigField* {
    for (const auto& f : schema.fields) {
      if (f.name == name) {
        return &f;
      }
    }
    return nullptr;
  };
  std::vector<std::string> known;
  for (const auto& f : schema.fields) {
    known.push_back(f.name);
    if (f.secret) {
      known.push_back(f.name + "_file");
    }
  }

  if (present) {
    for (const auto& kv : node) {
      const auto key = kv.first.as<std::string>();
      const auto keyPath = childPath(path, key);
      if (const auto* f = findField(key)) {
        if (out.count(key) != 0) {
          ctx.fail(kv.first, keyPath, "given both as " + key + " and " + key + "_file; keep one");
          continue;
        }
        out[key] = validateValue(kv.second, *f, keyPath, ctx);
        continue;
      }
      const std::string suffix = "_file";
      if (key.size() > suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
        const auto base = key.substr(0, key.size() - suffix.size());
        const auto* f = findField(base);
        if (f && f->secret) {
          if (out.count(base) != 0) {
            ctx.fail(kv.first, keyPath, "given both as " + base + " and " + key + "; keep one");
            continue;
          }
          std::string secret;
          auto fileName = kv.second.IsScalar() ? scalarText(kv.second, keyPath, ctx) : std::nullopt;
          if (!fileName) {
            ctx.fail(kv.second, keyPath, "expected a file path");
          } else if (auto err = readSecretFile(*fileName, secret); !err.empty()) {
            ctx.fail(kv.second, keyPath, err);
          } else {
            out[base] = sdk::ConfigValue::ofString(std::move(secret));
          }
          continue;
        }
      }
      if (schema.allowUnknown) {
        out[key] = anyValue(kv.second, keyPath, ctx);
        continue;
      }
      std::string msg = "unknown key";
      if (auto near = closestMatch(key, known); !near.empty()) {
        msg += " (did you mean \"" + near + "\"?)";
      }
      msg += known.empty() ? "; this section takes no keys" : "; known keys: " + join(known);
      ctx.fail(kv.first, keyPath, msg);
    }
  }

  for (const auto& f : schema.fields) {
    if (out.count(f.name) != 0) {
      continue;
    }
    if (f.required) {
      ctx.fail(node, childPath(path, f.name),
               std::string("missing required key (") + typeName(f.type) + ": " + f.description + ")");
      continue;
    }
    if (f.defaultValue) {
      out[f.name] = *f.defaultValue;
    } else if (f.type == sdk::ConfigType::Object) {
      out[f.name] = validateSection(YAML::Node(), *f.fields, childPath(path, f.name), ctx);
    } else {
      out[f.name] = sdk::ConfigValue{};
    }
  }
  return sdk::ConfigValue::ofMap(std::move(out));
}

}  // namespace switchboard::host
