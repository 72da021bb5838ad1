#include "field_mapping.hpp"

#include <algorithm>

#include "signature.hpp"

namespace switchboard::crm {
namespace {

constexpr std::string_view kCustom = "fields.";

nlohmann::json listValue(const std::vector<std::string>& items, ValueStyle style) {
  if (style == ValueStyle::Native) {
    return items;
  }
  std::string joined;
  for (const auto& t : items) {
    joined += (joined.empty() ? "" : ";") + t;
  }
  return joined;
}

nlohmann::json boolValue(bool b, ValueStyle style) {
  return style == ValueStyle::Native ? nlohmann::json(b) : nlohmann::json(b ? "true" : "false");
}

sdk::Error badValue(const std::string& property, const std::string& want) {
  return sdk::Error::permanent("crm.webhook_value", "CRM property \"" + property + "\" must be " + want);
}

sdk::Result<std::string> asText(const nlohmann::json& v, const std::string& property) {
  if (v.is_string()) {
    return v.get<std::string>();
  }
  if (v.is_number_integer()) {
    return std::to_string(v.get<long long>());
  }
  if (v.is_null()) {
    return std::string();
  }
  return badValue(property, "a string");
}

sdk::Result<bool> asBool(const nlohmann::json& v, const std::string& property) {
  if (v.is_boolean()) {
    return v.get<bool>();
  }
  if (v.is_string()) {
    const auto s = v.get<std::string>();
    if (s == "true" || s == "1" || s == "yes") return true;
    if (s == "false" || s == "0" || s == "no" || s.empty()) return false;
  }
  return badValue(property, "a boolean (true/false)");
}

sdk::Result<std::vector<std::string>> asList(const nlohmann::json& v, const std::string& property) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& item : v) {
      if (!item.is_string()) {
        return badValue(property, "a list of strings");
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  if (!v.is_string() && !v.is_null()) {
    return badValue(property, "a list of strings or a ';'-separated string");
  }
  const std::string s = v.is_string() ? v.get<std::string>() : "";
  std::size_t pos = 0;
  while (pos <= s.size()) {
    auto end = s.find_first_of(";,", pos);
    auto part = s.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    if (!part.empty()) {
      out.push_back(part);
    }
    if (end == std::string::npos) {
      break;
    }
    pos = end + 1;
  }
  return out;
}

}  // namespace

nlohmann::json mapContact(const sdk::Contact& c, const Mapping& mapping, ValueStyle style) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [ours, theirs] : mapping) {
    if (ours == "id") out[theirs] = c.id;
    else if (ours == "phone") out[theirs] = c.phone;
    else if (ours == "name") out[theirs] = c.name;
    else if (ours == "language") out[theirs] = c.language;
    else if (ours == "jid") out[theirs] = c.jid;
    else if (ours == "vip") out[theirs] = boolValue(c.vip, style);
    else if (ours == "opted_in") out[theirs] = boolValue(c.optedIn, style);
    else if (ours == "tags") out[theirs] = listValue(c.tags, style);
    else if (ours.rfind(kCustom, 0) == 0) {
      if (auto it = c.fields.find(ours.substr(kCustom.size())); it != c.fields.end()) {
        out[theirs] = it->second;
      }
    }
  }
  return out;
}

sdk::Result<std::vector<std::string>> applyProperties(const nlohmann::json& properties, const Mapping& mapping,
                                                      sdk::Contact& c) {
  std::vector<std::string> changed;
  if (!properties.is_object()) {
    return badValue("properties", "an object");
  }
  for (const auto& entry : mapping) {
    // Named references rather than a structured binding: clang 14 cannot capture those in lambdas.
    const auto& ours = entry.first;
    const auto& theirs = entry.second;
    auto it = properties.find(theirs);
    if (it == properties.end() || ours == "id" || ours == "jid") {
      continue;
    }
    const auto& v = *it;
    auto setText = [&](std::string& target) -> sdk::Status {
      auto t = asText(v, theirs);
      SB_TRY(t);
      if (t.value() != target) {
        target = t.value();
        changed.push_back(ours);
      }
      return sdk::okStatus();
    };
    auto setBool = [&](bool& target) -> sdk::Status {
      auto b = asBool(v, theirs);
      SB_TRY(b);
      if (b.value() != target) {
        target = b.value();
        changed.push_back(ours);
      }
      return sdk::okStatus();
    };
    if (ours == "phone") SB_TRY(setText(c.phone));
    else if (ours == "name") SB_TRY(setText(c.name));
    else if (ours == "language") SB_TRY(setText(c.language));
    else if (ours == "vip") SB_TRY(setBool(c.vip));
    else if (ours == "opted_in") SB_TRY(setBool(c.optedIn));
    else if (ours == "tags") {
      auto list = asList(v, theirs);
      SB_TRY(list);
      if (list.value() != c.tags) {
        c.tags = list.value();
        changed.push_back(ours);
      }
    } else if (ours.rfind(kCustom, 0) == 0) {
      const auto key = ours.substr(kCustom.size());
      auto t = asText(v, theirs);
      SB_TRY(t);
      auto& slot = c.fields[key];
      if (slot != t.value()) {
        slot = t.value();
        changed.push_back(ours);
      }
    }
  }
  return changed;
}

std::string fingerprint(const nlohmann::json& properties) {
  // nlohmann's objects keep keys sorted, so equal properties dump to equal text.
  return toHex(hmacSha256("crm-fingerprint", properties.dump()));
}

}  // namespace switchboard::crm
