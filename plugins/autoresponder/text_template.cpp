#include "text_template.hpp"

namespace switchboard::autoresponder {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool validName(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace

sdk::Result<TextTemplate> TextTemplate::parse(std::string_view text) {
  TextTemplate t;
  t.source_ = std::string(text);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      t.parts_.push_back({false, std::string(text.substr(pos)), std::nullopt});
      break;
    }
    if (open > pos) {
      t.parts_.push_back({false, std::string(text.substr(pos, open - pos)), std::nullopt});
    }
    const auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return sdk::Error::permanent("template.syntax",
                                   "\"{{\" at byte " + std::to_string(open) + " is never closed with \"}}\"");
    }
    auto inner = text.substr(open + 2, close - open - 2);
    if (inner.find("{{") != std::string_view::npos) {
      return sdk::Error::permanent("template.syntax", "\"{{\" inside a parameter at byte " + std::to_string(open));
    }
    Part p;
    p.parameter = true;
    const auto bar = inner.find('|');
    const auto name = trim(inner.substr(0, bar));
    if (!validName(name)) {
      return sdk::Error::permanent("template.syntax", "parameter \"{{" + std::string(inner) + "}}\" at byte " +
                                                          std::to_string(open) +
                                                          " needs a name of letters, digits, '_', '-' and '.'");
    }
    p.text = std::string(name);
    if (bar != std::string_view::npos) {
      p.fallback = std::string(trim(inner.substr(bar + 1)));
    }
    t.parts_.push_back(std::move(p));
    pos = close + 2;
  }
  return t;
}

std::vector<std::string> TextTemplate::parameterNames() const {
  std::vector<std::string> out;
  for (const auto& p : parts_) {
    if (p.parameter) {
      out.push_back(p.text);
    }
  }
  return out;
}

sdk::Result<std::string> TextTemplate::render(const Lookup& lookup, const std::string& what,
                                              const Explain& explain) const {
  std::string out;
  for (const auto& p : parts_) {
    if (!p.parameter) {
      out += p.text;
      continue;
    }
    auto value = lookup(p.text);
    if (value && !value->empty()) {
      out += *value;
    } else if (p.fallback) {
      out += *p.fallback;
    } else {
      std::string why = explain ? explain(p.text) : std::string();
      return sdk::Error::permanent(
          "template.missing_parameter",
          what + ": parameter {{" + p.text + "}} has no value" + (why.empty() ? "" : " (" + why + ")") +
              "; the reply was not sent. Give it a fallback as {{" + p.text + "|...}} to send it anyway");
    }
  }
  return out;
}

}  // namespace switchboard::autoresponder
