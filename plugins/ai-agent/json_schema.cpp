#include "json_schema.hpp"

#include <cmath>

namespace switchboard::aiagent {
namespace {

bool hasType(const nlohmann::json& v, const std::string& type) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "integer") {
    // 80.0 is an integer too; a double is compared with its truncation, never cast (1e300 would
    // not fit any integer type).
    return v.is_number_integer() || (v.is_number_float() && std::abs(v.get<double>()) < 9e15 &&
                                      std::trunc(v.get<double>()) == v.get<double>());
  }
  if (type == "number") return v.is_number();
  if (type == "null") return v.is_null();
  return false;
}

}  // namespace

std::optional<std::string> validateAgainstSchema(const nlohmann::json& value, const nlohmann::json& schema,
                                                 const std::string& path) {
  if (!schema.is_object()) {
    return std::nullopt;
  }
  if (auto t = schema.find("type"); t != schema.end() && t->is_string()) {
    if (!hasType(value, t->get<std::string>())) {
      const auto& type = t->get_ref<const std::string&>();
      const bool vowel = type == "integer" || type == "array" || type == "object";
      return path + ": must be " + (vowel ? "an " : "a ") + type;
    }
  }
  if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
    if (std::find(e->begin(), e->end(), value) == e->end()) {
      std::string allowed;
      for (const auto& a : *e) {
        allowed += (allowed.empty() ? "" : ", ") + a.dump();
      }
      return path + ": must be one of " + allowed;
    }
  }
  if (value.is_number()) {
    const double d = value.get<double>();
    if (auto m = schema.find("minimum"); m != schema.end() && m->is_number() && d < m->get<double>()) {
      return path + ": must be at least " + m->dump();
    }
    if (auto m = schema.find("maximum"); m != schema.end() && m->is_number() && d > m->get<double>()) {
      return path + ": must be at most " + m->dump();
    }
  }
  if (value.is_string()) {
    const auto n = value.get_ref<const std::string&>().size();
    if (auto m = schema.find("minLength"); m != schema.end() && m->is_number_unsigned() && n < m->get<std::size_t>()) {
      return path + ": must not be shorter than " + m->dump() + " characters";
    }
    if (auto m = schema.find("maxLength"); m != schema.end() && m->is_number_unsigned() && n > m->get<std::size_t>()) {
      return path + ": must not be longer than " + m->dump() + " characters";
    }
  }
  if (value.is_array()) {
    if (auto m = schema.find("maxItems"); m != schema.end() && m->is_number_unsigned() &&
                                          value.size() > m->get<std::size_t>()) {
      return path + ": must have at most " + m->dump() + " items";
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (auto err = validateAgainstSchema(value[i], *items, path + "[" + std::to_string(i) + "]")) {
          return err;
        }
      }
    }
  }
  if (value.is_object()) {
    const auto props = schema.find("properties");
    if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
      for (const auto& name : *req) {
        if (name.is_string() && !value.contains(name.get<std::string>())) {
          return path + "." + name.get<std::string>() + ": is required";
        }
      }
    }
    const auto extra = schema.find("additionalProperties");
    for (const auto& [key, member] : value.items()) {
      if (props != schema.end() && props->is_object() && props->contains(key)) {
        if (auto err = validateAgainstSchema(member, (*props)[key], path + "." + key)) {
          return err;
        }
      } else if (extra != schema.end()) {
        if (extra->is_boolean() && !extra->get<bool>()) {
          return path + "." + key + ": is not a known argument";
        }
        if (extra->is_object()) {
          if (auto err = validateAgainstSchema(member, *extra, path + "." + key)) {
            return err;
          }
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace switchboard::aiagent
