#include "admin/json_fields.hpp"

namespace switchboard::admin {

JsonFields::JsonFields(const nlohmann::json& body) : body_(body) {
  if (!body_.is_object()) {
    fail("the request body must be a JSON object");
  }
}

void JsonFields::fail(const std::string& message) {
  if (!error_) {
    error_ = sdk::Error::permanent("invalid", message);
  }
}

const nlohmann::json* JsonFields::find(const char* key, bool required) {
  if (!body_.is_object()) {
    return nullptr;
  }
  auto it = body_.find(key);
  if (it == body_.end() || it->is_null()) {
    if (required) {
      fail(std::string("\"") + key + "\" is required");
    }
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> JsonFields::string(const char* key, bool required, std::size_t maxLength) {
  const auto* v = find(key, required);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_string()) {
    fail(std::string("\"") + key + "\" must be a string");
    return std::nullopt;
  }
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > maxLength) {
    fail(std::string("\"") + key + "\" is longer than " + std::to_string(maxLength) + " bytes");
    return std::nullopt;
  }
  if (required && s.empty()) {
    fail(std::string("\"") + key + "\" must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<std::int64_t> JsonFields::integer(const char* key, std::int64_t min, std::int64_t max, bool required) {
  const auto* v = find(key, required);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_number_integer()) {
    fail(std::string("\"") + key + "\" must be an integer");
    return std::nullopt;
  }
  // Unsigned JSON numbers above INT64_MAX must not wrap into range.
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    fail(std::string("\"") + key + "\" must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  auto n = v->get<std::int64_t>();
  if (n < min || n > max) {
    fail(std::string("\"") + key + "\" must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<bool> JsonFields::boolean(const char* key, bool required) {
  const auto* v = find(key, required);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_boolean()) {
    fail(std::string("\"") + key + "\" must be true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::vector<std::string>> JsonFields::strings(const char* key, bool required, std::size_t maxItems) {
  const auto* v = find(key, required);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_array() || v->size() > maxItems) {
    fail(std::string("\"") + key + "\" must be an array of at most " + std::to_string(maxItems) + " strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : *v) {
    if (!item.is_string()) {
      fail(std::string("\"") + key + "\" must contain strings only");
      return std::nullopt;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

std::optional<std::map<std::string, std::string>> JsonFields::stringMap(const char* key, bool required) {
  const auto* v = find(key, required);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (!v->is_object()) {
    fail(std::string("\"") + key + "\" must be an object of strings");
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  for (const auto& [k, item] : v->items()) {
    if (!item.is_string()) {
      fail(std::string("\"") + key + "." + k + "\" must be a string");
      return std::nullopt;
    }
    out[k] = item.get<std::string>();
  }
  return out;
}

const nlohmann::json* JsonFields::objects(const char* key, bool required) {
  const auto* v = find(key, required);
  if (v == nullptr) {
    return nullptr;
  }
  if (!v->is_array()) {
    fail(std::string("\"") + key + "\" must be an array of objects");
    return nullptr;
  }
  for (const auto& item : *v) {
    if (!item.is_object()) {
      fail(std::string("\"") + key + "\" must contain objects only");
      return nullptr;
    }
  }
  return v;
}

void JsonFields::only(std::initializer_list<const char*> known) {
  if (!body_.is_object()) {
    return;
  }
  for (const auto& [k, v] : body_.items()) {
    bool found = false;
    for (const char* name : known) {
      found = found || k == name;
    }
    if (!found) {
      std::string list;
      for (const char* name : known) {
        list += (list.empty() ? "" : ", ") + std::string(name);
      }
      fail("unknown field \"" + k + "\"; known fields: " + list);
      return;
    }
  }
}

}  // namespace switchboard::admin
