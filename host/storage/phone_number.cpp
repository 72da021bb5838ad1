#include "storage/phone_number.hpp"

#include <cctype>

namespace switchboard::host::storage {

std::optional<std::string> normalizePhone(const std::string& input) {
  std::string s = input;
  if (auto at = s.find('@'); at != std::string::npos) {
    s = s.substr(0, at);
    if (auto colon = s.find(':'); colon != std::string::npos) {
      s = s.substr(0, colon);  // device suffix
    }
  }
  std::string digits;
  bool plus = false;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      digits += c;
    } else if (c == '+' && digits.empty() && !plus) {
      plus = true;
    } else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/') {
      continue;
    } else {
      return std::nullopt;
    }
  }
  if (!plus && digits.rfind("00", 0) == 0) {
    digits = digits.substr(2);  // international call prefix
  }
  if (digits.size() < 7 || digits.size() > 15 || digits[0] == '0') {
    return std::nullopt;
  }
  return digits;
}

std::optional<std::string> phoneFromJid(const std::string& jid) {
  auto at = jid.find('@');
  if (at == std::string::npos || jid.substr(at + 1) != "s.whatsapp.net") {
    return std::nullopt;
  }
  return normalizePhone(jid);
}

}  // namespace switchboard::host::storage
