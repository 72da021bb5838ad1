#include "json_config.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "rule_book.hpp"

namespace switchboard::autoresponder {
namespace {

constexpr std::size_t kMaxJsonBytes = 256 * 1024;
constexpr int kMaxDepth = 16;

std::string childPath(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

sdk::Result<sdk::ConfigValue> fromJson(const nlohmann::json& j, int depth) {
  if (depth > kMaxDepth) {
    return sdk::Error::permanent("config.invalid", "nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  switch (j.type()) {
    case nlohmann::json::value_t::boolean:
      return sdk::ConfigValue::ofBool(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return sdk::ConfigValue::ofInt(j.get<std::int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(INT64_MAX)) {
        return sdk::ConfigValue::ofDouble(static_cast<double>(u));
      }
      return sdk::ConfigValue::ofInt(static_cast<std::int64_t>(u));
    }
    case nlohmann::json::value_t::number_float:
      return sdk::ConfigValue::ofDouble(j.get<double>());
    case nlohmann::json::value_t::string:
      return sdk::ConfigValue::ofString(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      sdk::ConfigValue::List list;
      for (const auto& item : j) {
        auto v = fromJson(item, depth + 1);
        SB_TRY(v);
        list.push_back(std::move(v).value());
      }
      return sdk::ConfigValue::ofList(std::move(list));
    }
    case nlohmann::json::value_t::object: {
      sdk::ConfigValue::Map map;
      for (const auto& [key, item] : j.items()) {
        auto v = fromJson(item, depth + 1);
        SB_TRY(v);
        map[key] = std::move(v).value();
      }
      return sdk::ConfigValue::ofMap(std::move(map));
    }
    default:
      return sdk::ConfigValue{};
  }
}

const char* typeName(sdk::ConfigType t) {
  switch (t) {
    case sdk::ConfigType::Bool: return "a boolean";
    case sdk::ConfigType::Int: return "an integer";
    case sdk::ConfigType::Double: return "a number";
    case sdk::ConfigType::String: return "a string";
    case sdk::ConfigType::Duration: return "a duration (\"30s\", \"5m\" or milliseconds)";
    case sdk::ConfigType::StringList: return "a list of strings";
    case sdk::ConfigType::Object: return "an object";
    case sdk::ConfigType::ObjectList: return "a list of objects";
    case sdk::ConfigType::StringMap: return "an object of strings";
    case sdk::ConfigType::Any: return "any value";
  }
  return "a value";
}

bool inRange(const sdk::ConfigField& f, double v) { return !((f.min && v < *f.min) || (f.max && v > *f.max)); }

std::string scalarText(const sdk::ConfigValue& v) {
  switch (v.kind()) {
    case sdk::ConfigValue::Kind::String: return v.asString();
    case sdk::ConfigValue::Kind::Bool: return v.asBool() ? "true" : "false";
    case sdk::ConfigValue::Kind::Int: return std::to_string(v.asInt());
    case sdk::ConfigValue::Kind::Double: {
      std::string s = std::to_string(v.asDouble());
      return s;
    }
    default: return {};
  }
}

sdk::ConfigValue checkValue(const sdk::ConfigValue& v, const sdk::ConfigField& f, const std::string& path,
                            std::vector<std::string>& errors) {
  auto wrongType = [&] {
    errors.push_back(path + ": expected " + typeName(f.type));
    return sdk::ConfigValue{};
  };
  auto outOfRange = [&] {
    errors.push_back(path + ": value out of range");
    return sdk::ConfigValue{};
  };
  using K = sdk::ConfigValue::Kind;
  switch (f.type) {
    case sdk::ConfigType::Bool:
      return v.kind() == K::Bool ? v : wrongType();
    case sdk::ConfigType::Int: {
      std::int64_t i = 0;
      if (v.kind() == K::Int) {
        i = v.asInt();
      } else if (v.kind() == K::Double && std::floor(v.asDouble()) == v.asDouble() &&
                 std::fabs(v.asDouble()) < 9e15) {
        i = static_cast<std::int64_t>(v.asDouble());
      } else {
        return wrongType();
      }
      return inRange(f, static_cast<double>(i)) ? sdk::ConfigValue::ofInt(i) : outOfRange();
    }
    case sdk::ConfigType::Double:
      if (v.kind() != K::Int && v.kind() != K::Double) {
        return wrongType();
      }
      return inRange(f, v.asDouble()) ? sdk::ConfigValue::ofDouble(v.asDouble()) : outOfRange();
    case sdk::ConfigType::Duration: {
      std::optional<Millis> ms;
      if (v.kind() == K::Int) {
        ms = Millis(v.asInt());
      } else if (v.kind() == K::String) {
        ms = parseDuration(v.asString());
      }
      if (!ms) {
        return wrongType();
      }
      return inRange(f, static_cast<double>(ms->count())) ? sdk::ConfigValue::ofInt(ms->count()) : outOfRange();
    }
    case sdk::ConfigType::String:
      if (v.kind() != K::String) {
        return wrongType();
      }
      if (!f.allowed.empty() && std::find(f.allowed.begin(), f.allowed.end(), v.asString()) == f.allowed.end()) {
        std::string allowed;
        for (const auto& a : f.allowed) {
          allowed += (allowed.empty() ? "" : ", ") + a;
        }
        errors.push_back(path + ": unknown value \"" + v.asString() + "\"; allowed: " + allowed);
        return {};
      }
      return v;
    case sdk::ConfigType::StringList: {
      if (v.kind() == K::String) {
        return sdk::ConfigValue::ofList({v});
      }
      if (v.kind() != K::List) {
        return wrongType();
      }
      sdk::ConfigValue::List out;
      for (std::size_t i = 0; i < v.asList().size(); ++i) {
        if (v.asList()[i].kind() != K::String) {
          errors.push_back(path + "[" + std::to_string(i) + "]: expected a string");
          continue;
        }
        out.push_back(v.asList()[i]);
      }
      return sdk::ConfigValue::ofList(std::move(out));
    }
    case sdk::ConfigType::Object:
      return applySchema(v, *f.fields, path, errors);
    case sdk::ConfigType::ObjectList: {
      if (v.kind() != K::List) {
        return wrongType();
      }
      sdk::ConfigValue::List out;
      for (std::size_t i = 0; i < v.asList().size(); ++i) {
        out.push_back(applySchema(v.asList()[i], *f.fields, path + "[" + std::to_string(i) + "]", errors));
      }
      return sdk::ConfigValue::ofList(std::move(out));
    }
    case sdk::ConfigType::StringMap: {
      if (v.kind() != K::Map) {
        return wrongType();
      }
      sdk::ConfigValue::Map out;
      for (const auto& [key, item] : v.asMap()) {
        if (item.kind() == K::List || item.kind() == K::Map || item.kind() == K::Null) {
          errors.push_back(childPath(path, key) + ": expected a scalar value");
          continue;
        }
        out[key] = sdk::ConfigValue::ofString(scalarText(item));
      }
      return sdk::ConfigValue::ofMap(std::move(out));
    }
    case sdk::ConfigType::Any:
      return v;
  }
  return {};
}

}  // namespace

sdk::Result<sdk::ConfigValue> parseJsonValue(const std::string& text) {
  if (text.size() > kMaxJsonBytes) {
    return sdk::Error::permanent("config.invalid", "larger than " + std::to_string(kMaxJsonBytes) + " bytes");
  }
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return sdk::Error::permanent("config.invalid", "not valid JSON");
  }
  return fromJson(j, 0);
}

sdk::ConfigValue applySchema(const sdk::ConfigValue& raw, const sdk::ConfigSchema& schema, const std::string& path,
                             std::vector<std::string>& errors) {
  sdk::ConfigValue::Map out;
  if (!raw.isNull() && raw.kind() != sdk::ConfigValue::Kind::Map) {
    errors.push_back((path.empty() ? std::string("value") : path) + ": expected an object");
    return sdk::ConfigValue::ofMap({});
  }
  for (const auto& [key, value] : raw.asMap()) {
    auto f = std::find_if(schema.fields.begin(), schema.fields.end(),
                          [&key = key](const sdk::ConfigField& field) { return field.name == key; });
    if (f == schema.fields.end()) {
      if (schema.allowUnknown) {
        out[key] = value;
        continue;
      }
      std::string known;
      for (const auto& field : schema.fields) {
        known += (known.empty() ? "" : ", ") + field.name;
      }
      errors.push_back(childPath(path, key) + ": unknown key; known keys: " + known);
      continue;
    }
    if (value.isNull()) {
      continue;  // JSON null: as if absent
    }
    out[key] = checkValue(value, *f, childPath(path, key), errors);
  }
  for (const auto& f : schema.fields) {
    if (out.count(f.name) != 0) {
      continue;
    }
    if (f.required) {
      errors.push_back(childPath(path, f.name) + ": missing required key (" + typeName(f.type) + ")");
      continue;
    }
    if (f.defaultValue) {
      out[f.name] = *f.defaultValue;
    } else if (f.type == sdk::ConfigType::Object) {
      out[f.name] = applySchema(sdk::ConfigValue{}, *f.fields, childPath(path, f.name), errors);
    } else {
      out[f.name] = sdk::ConfigValue{};
    }
  }
  return sdk::ConfigValue::ofMap(std::move(out));
}

}  // namespace switchboard::autoresponder
