#pragma once

/// @file
/// @brief Plugin configuration: the schema a plugin declares and the validated values it receives.
///
/// A plugin declares its keys (types, defaults, ranges, allowed values) in a ConfigSchema. The host
/// validates the plugin's YAML section against it before the plugin is created: unknown keys, wrong
/// types and out-of-range values are refused with file:line:column. The plugin then receives a
/// ConfigValue tree in which every declared key is present (defaults filled in) and every secret
/// given as `key_file` has been read into `key`.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::sdk {

/// @brief A validated configuration value: null, bool, integer, double, string, list or map.
class ConfigValue {
 public:
  enum class Kind { Null, Bool, Int, Double, String, List, Map };
  using List = std::vector<ConfigValue>;
  using Map = std::map<std::string, ConfigValue>;

  ConfigValue() = default;
  static ConfigValue ofBool(bool b) { ConfigValue v; v.kind_ = Kind::Bool; v.b_ = b; return v; }
  static ConfigValue ofInt(std::int64_t i) { ConfigValue v; v.kind_ = Kind::Int; v.i_ = i; return v; }
  static ConfigValue ofDouble(double d) { ConfigValue v; v.kind_ = Kind::Double; v.d_ = d; return v; }
  static ConfigValue ofString(std::string s) {
    ConfigValue v; v.kind_ = Kind::String; v.s_ = std::move(s); return v;
  }
  static ConfigValue ofList(List l) {
    ConfigValue v; v.kind_ = Kind::List; v.list_ = std::make_shared<List>(std::move(l)); return v;
  }
  static ConfigValue ofMap(Map m) {
    ConfigValue v; v.kind_ = Kind::Map; v.map_ = std::make_shared<Map>(std::move(m)); return v;
  }

  Kind kind() const { return kind_; }
  bool isNull() const { return kind_ == Kind::Null; }

  /// Accessors return the fallback when the value has another kind (the schema makes that impossible
  /// for declared keys). Ints widen to double.
  bool asBool(bool fallback = false) const { return kind_ == Kind::Bool ? b_ : fallback; }
  std::int64_t asInt(std::int64_t fallback = 0) const { return kind_ == Kind::Int ? i_ : fallback; }
  double asDouble(double fallback = 0) const {
    return kind_ == Kind::Double ? d_ : kind_ == Kind::Int ? static_cast<double>(i_) : fallback;
  }
  const std::string& asString() const { static const std::string empty; return kind_ == Kind::String ? s_ : empty; }
  const List& asList() const { static const List empty; return kind_ == Kind::List ? *list_ : empty; }
  const Map& asMap() const { static const Map empty; return kind_ == Kind::Map ? *map_ : empty; }

  /// @brief Member of a map; a null value when absent or when this is not a map.
  const ConfigValue& operator[](const std::string& key) const {
    static const ConfigValue null;
    if (kind_ != Kind::Map) return null;
    auto it = map_->find(key);
    return it == map_->end() ? null : it->second;
  }
  bool has(const std::string& key) const { return kind_ == Kind::Map && map_->count(key) != 0; }

  /// @brief Durations are stored as integer milliseconds.
  std::chrono::milliseconds asDuration() const { return std::chrono::milliseconds(asInt()); }

  /// @brief Canonical text form (stable key order); the host compares it to decide reloads.
  std::string canonical() const {
    switch (kind_) {
      case Kind::Null: return "null";
      case Kind::Bool: return b_ ? "true" : "false";
      case Kind::Int: return std::to_string(i_);
      case Kind::Double: return std::to_string(d_);
      case Kind::String: {
        std::string out = "\"";
        for (char c : s_) {
          if (c == '"' || c == '\\') out += '\\';
          out += c;
        }
        return out + "\"";
      }
      case Kind::List: {
        std::string out = "[";
        for (const auto& v : *list_) out += v.canonical() + ",";
        return out + "]";
      }
      case Kind::Map: {
        std::string out = "{";
        for (const auto& [k, v] : *map_) out += ofString(k).canonical() + ":" + v.canonical() + ",";
        return out + "}";
      }
    }
    return "null";
  }

  friend bool operator==(const ConfigValue& a, const ConfigValue& b) { return a.canonical() == b.canonical(); }

 private:
  Kind kind_ = Kind::Null;
  bool b_ = false;
  std::int64_t i_ = 0;
  double d_ = 0;
  std::string s_;
  std::shared_ptr<List> list_;
  std::shared_ptr<Map> map_;
};

/// @brief The type of a configuration key.
enum class ConfigType {
  Bool,
  Int,
  Double,
  String,
  Duration,    ///< "250ms", "10s", "5m", "2h" or an integer of milliseconds; delivered as Int milliseconds.
  StringList,  ///< A YAML sequence of strings (a scalar is accepted as a one-element list).
  Object,      ///< A nested map validated by `fields`.
  ObjectList,  ///< A sequence of maps, each validated by `fields`.
  StringMap,   ///< Free-form map of scalar values kept as strings (pass-through properties).
  Any,         ///< Free-form subtree, not validated (use sparingly).
};

struct ConfigField;

/// @brief The declared keys of one map.
struct ConfigSchema {
  std::vector<ConfigField> fields;
  /// @brief Accept keys that are not declared (kept as they are). Off by default: a typo is an error.
  bool allowUnknown = false;
};

/// @brief One declared key.
struct ConfigField {
  std::string name;
  ConfigType type = ConfigType::String;
  std::string description;
  bool required = false;
  std::optional<ConfigValue> defaultValue;  ///< Filled in when the key is absent.
  std::optional<double> min;                ///< Inclusive bounds for Int, Double and Duration (ms).
  std::optional<double> max;
  std::vector<std::string> allowed;         ///< Allowed values for String (empty: any).
  bool secret = false;  ///< May be given as `<name>_file: PATH` instead; never logged.
  std::shared_ptr<ConfigSchema> fields;     ///< For Object and ObjectList.
};

/// @brief Builders that keep schema declarations short, e.g.
/// `field::integer("max_chats", "Concurrent chats", 5).range(1, 100)`.
namespace field {
struct Builder {
  ConfigField f;
  Builder& required() { f.required = true; return *this; }
  Builder& range(double lo, double hi) { f.min = lo; f.max = hi; return *this; }
  Builder& atLeast(double lo) { f.min = lo; return *this; }
  Builder& oneOf(std::vector<std::string> values) { f.allowed = std::move(values); return *this; }
  Builder& secret() { f.secret = true; return *this; }
  operator ConfigField() const { return f; }  // NOLINT(google-explicit-constructor)
};
inline Builder make(std::string name, ConfigType t, std::string desc, std::optional<ConfigValue> def) {
  Builder b; b.f.name = std::move(name); b.f.type = t; b.f.description = std::move(desc);
  b.f.defaultValue = std::move(def); return b;
}
inline Builder boolean(std::string n, std::string d, bool def) {
  return make(std::move(n), ConfigType::Bool, std::move(d), ConfigValue::ofBool(def));
}
inline Builder integer(std::string n, std::string d, std::int64_t def) {
  return make(std::move(n), ConfigType::Int, std::move(d), ConfigValue::ofInt(def));
}
inline Builder real(std::string n, std::string d, double def) {
  return make(std::move(n), ConfigType::Double, std::move(d), ConfigValue::ofDouble(def));
}
inline Builder string(std::string n, std::string d, std::optional<std::string> def = std::nullopt) {
  return make(std::move(n), ConfigType::String, std::move(d),
              def ? std::optional<ConfigValue>(ConfigValue::ofString(*def)) : std::nullopt);
}
inline Builder duration(std::string n, std::string d, std::chrono::milliseconds def) {
  return make(std::move(n), ConfigType::Duration, std::move(d), ConfigValue::ofInt(def.count()));
}
inline Builder stringList(std::string n, std::string d) {
  return make(std::move(n), ConfigType::StringList, std::move(d), ConfigValue::ofList({}));
}
inline Builder stringMap(std::string n, std::string d) {
  return make(std::move(n), ConfigType::StringMap, std::move(d), ConfigValue::ofMap({}));
}
inline Builder object(std::string n, std::string d, ConfigSchema s) {
  auto b = make(std::move(n), ConfigType::Object, std::move(d), std::nullopt);
  b.f.fields = std::make_shared<ConfigSchema>(std::move(s));
  return b;
}
inline Builder objectList(std::string n, std::string d, ConfigSchema s) {
  auto b = make(std::move(n), ConfigType::ObjectList, std::move(d), ConfigValue::ofList({}));
  b.f.fields = std::make_shared<ConfigSchema>(std::move(s));
  return b;
}
}  // namespace field

}  // namespace switchboard::sdk
