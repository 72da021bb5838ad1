#include "config/scalar_parsing.hpp"

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace switchboard::host {

std::string parseInt(const std::string& text, std::int64_t& out) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, out);
  if (ec == std::errc::result_out_of_range) {
    return "\"" + text + "\" is out of the range of a 64-bit integer";
  }
  if (ec != std::errc() || ptr != end || text.empty()) {
    return "expected an integer, got \"" + text + "\"";
  }
  return {};
}

std::string parseDouble(const std::string& text, double& out) {
  if (text.empty()) {
    return "expected a number, got an empty value";
  }
  char* end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || errno == ERANGE) {
    return "expected a number, got \"" + text + "\"";
  }
  return {};
}

std::string parseBool(const std::string& text, bool& out) {
  if (text == "true" || text == "yes" || text == "on") {
    out = true;
    return {};
  }
  if (text == "false" || text == "no" || text == "off") {
    out = false;
    return {};
  }
  return "expected true or false, got \"" + text + "\"";
}

std::string parseDuration(const std::string& text, std::chrono::milliseconds& out) {
  std::size_t digits = 0;
  while (digits < text.size() && (std::isdigit(static_cast<unsigned char>(text[digits])) != 0)) {
    ++digits;
  }
  const std::string unit = text.substr(digits);
  std::int64_t n = 0;
  if (digits == 0 || !parseInt(text.substr(0, digits), n).empty()) {
    return "expected a duration such as 500ms, 10s, 5m or 2h, got \"" + text + "\"";
  }
  std::int64_t factor = 0;
  if (unit.empty() || unit == "ms") {
    factor = 1;
  } else if (unit == "s") {
    factor = 1000;
  } else if (unit == "m" || unit == "min") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else if (unit == "d") {
    factor = 86'400'000;
  } else {
    return "unknown duration unit \"" + unit + "\" in \"" + text + "\" (use ms, s, m, h or d)";
  }
  if (n > INT64_MAX / factor) {
    return "duration \"" + text + "\" is too large";
  }
  out = std::chrono::milliseconds(n * factor);
  return {};
}

std::string substituteEnv(const std::string& text, std::string& out,
                          const std::function<std::optional<std::string>(const std::string&)>& lookup) {
  out.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      out += '$';
      continue;
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string::npos) {
      return "unterminated ${ in \"" + text + "\"";
    }
    std::string name = text.substr(i + 2, close - i - 2);
    std::optional<std::string> fallback;
    if (auto sep = name.find(":-"); sep != std::string::npos) {
      fallback = name.substr(sep + 2);
      name.resize(sep);
    }
    if (name.empty()) {
      return "empty variable name in \"" + text + "\"";
    }
    auto value = lookup(name);
    if (!value || (value->empty() && fallback)) {
      if (!fallback) {
        return "environment variable " + name + " is not set (write ${" + name + ":-default} for a fallback)";
      }
      value = fallback;
    }
    out += *value;
    i = close;
  }
  return {};
}

std::string readSecretFile(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "cannot read secret file " + path + ": " + std::strerror(errno);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
    out.pop_back();
  }
  return {};
}

}  // namespace switchboard::host
