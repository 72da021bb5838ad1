#include "http/url.hpp"

#include <cctype>
#include <charconv>

namespace switchboard::http {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

sdk::Error urlError(std::string message) { return sdk::Error::permanent("http.url", std::move(message)); }

std::uint16_t defaultPort(std::string_view scheme) {
  return (scheme == "https" || scheme == "wss") ? 443 : 80;
}

}  // namespace

std::string Url::hostHeader() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != defaultPort(scheme)) {
    h += ":" + std::to_string(port);
  }
  return h;
}

sdk::Result<Url> parseUrl(std::string_view text) {
  Url url;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    return urlError("not an absolute URL (no scheme): " + std::string(text));
  }
  url.scheme = std::string(text.substr(0, sep));
  for (auto& c : url.scheme) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (url.scheme != "http" && url.scheme != "https" && url.scheme != "ws" && url.scheme != "wss") {
    return urlError("unsupported scheme \"" + url.scheme + "\" in " + std::string(text));
  }
  auto rest = text.substr(sep + 3);
  auto end = rest.find_first_of("/?#");
  auto authority = rest.substr(0, end);
  auto tail = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) {
    return urlError("credentials in URLs are not accepted: " + std::string(text));
  }
  if (auto hash = tail.find('#'); hash != std::string_view::npos) {
    tail = tail.substr(0, hash);
  }
  url.target = tail.empty() ? "/" : (tail.front() == '?' ? "/" + std::string(tail) : std::string(tail));

  std::string_view portText;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return urlError("unterminated IPv6 literal in " + std::string(text));
    }
    url.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return urlError("junk after the IPv6 literal in " + std::string(text));
      }
      portText = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      portText = authority.substr(colon + 1);
    }
  }
  if (url.host.empty()) {
    return urlError("no host in " + std::string(text));
  }
  url.port = defaultPort(url.scheme);
  if (!portText.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), value);
    if (ec != std::errc{} || ptr != portText.data() + portText.size() || value == 0 || value > 65535) {
      return urlError("bad port \"" + std::string(portText) + "\" in " + std::string(text));
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  return url;
}

sdk::Result<std::string> percentDecode(std::string_view text, bool plusIsSpace) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) {
        return urlError("truncated %-escape");
      }
      int hi = hexValue(text[i + 1]);
      int lo = hexValue(text[i + 2]);
      if (hi < 0 || lo < 0) {
        return urlError("bad %-escape \"" + std::string(text.substr(i, 3)) + "\"");
      }
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plusIsSpace) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

sdk::Result<Target> parseTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return urlError("the request target must start with '/'");
  }
  Target out;
  auto q = target.find('?');
  auto rawPath = target.substr(0, q);
  std::size_t start = 1;
  while (start <= rawPath.size()) {
    auto slash = rawPath.find('/', start);
    auto raw = rawPath.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    auto segment = percentDecode(raw, false);
    if (!segment) {
      return segment.takeError();
    }
    for (char c : *segment) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
        return urlError("control character in the request path");
      }
    }
    // Dot segments would let a pattern match something the raw path does not say.
    if (*segment == ".." || *segment == ".") {
      return urlError("dot segment in the request path");
    }
    out.path += "/" + *segment;
    out.segments.push_back(std::move(segment).value());
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  if (q != std::string_view::npos) {
    auto query = target.substr(q + 1);
    std::size_t pos = 0;
    while (pos <= query.size()) {
      auto amp = query.find('&', pos);
      auto pair = query.substr(pos, amp == std::string_view::npos ? std::string_view::npos : amp - pos);
      if (!pair.empty()) {
        auto eq = pair.find('=');
        auto key = percentDecode(pair.substr(0, eq), true);
        auto value = percentDecode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
        if (!key) {
          return key.takeError();
        }
        if (!value) {
          return value.takeError();
        }
        out.query.emplace_back(std::move(key).value(), std::move(value).value());
      }
      if (amp == std::string_view::npos) {
        break;
      }
      pos = amp + 1;
    }
  }
  return out;
}

}  // namespace switchboard::http
