#include "message_text.hpp"

#include <optional>

namespace switchboard::campaigns {
namespace {

constexpr std::size_t kMaxText = 4096;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) {
    return "";
  }
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::optional<std::string> lookup(const std::string& name, const std::map<std::string, std::string>& params,
                                  const sdk::Contact& contact) {
  if (auto it = params.find(name); it != params.end() && !it->second.empty()) {
    return it->second;
  }
  if (name.rfind("contact.", 0) == 0) {
    const auto key = name.substr(8);
    const std::string value = key == "name"    ? contact.name
                              : key == "phone" ? contact.phone
                              : contact.fields.count(key) != 0 ? contact.fields.at(key)
                                                               : std::string();
    if (!value.empty()) {
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace

sdk::Result<std::string> renderMessage(const std::string& body, const std::map<std::string, std::string>& params,
                                       const sdk::Contact& contact) {
  std::string out;
  std::size_t pos = 0;
  while (pos < body.size()) {
    const auto open = body.find("{{", pos);
    if (open == std::string::npos) {
      out.append(body, pos, std::string::npos);
      break;
    }
    const auto close = body.find("}}", open + 2);
    if (close == std::string::npos) {
      return sdk::Error::permanent("campaign.bad_template", "unclosed {{ at byte " + std::to_string(open));
    }
    out.append(body, pos, open - pos);
    const std::string inner = body.substr(open + 2, close - open - 2);
    const auto bar = inner.find('|');
    const std::string name = trim(inner.substr(0, bar));
    auto value = lookup(name, params, contact);
    if (!value && bar != std::string::npos) {
      value = inner.substr(bar + 1);
    }
    if (!value) {
      return sdk::Error::permanent("campaign.missing_param",
                                   "parameter \"" + name + "\" has no value for contact " + contact.id);
    }
    out += *value;
    pos = close + 2;
  }
  if (out.empty() || out.size() > kMaxText) {
    return sdk::Error::permanent("campaign.bad_text", "the message is empty or longer than " +
                                                          std::to_string(kMaxText) + " bytes");
  }
  return out;
}

}  // namespace switchboard::campaigns
