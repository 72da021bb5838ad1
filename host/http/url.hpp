#pragma once

// URLs and request targets: the parsing both the server (request targets from the network) and the
// client (URLs from configuration and the command line) need. Everything here is bounded and
// returns an error value on malformed input.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "switchboard/sdk/result.hpp"

namespace switchboard::http {

namespace sdk = switchboard::sdk;

/// An absolute URL split into what a connection needs.
struct Url {
  std::string scheme;  ///< "http", "https", "ws" or "wss"
  std::string host;    ///< without brackets for IPv6 literals
  std::uint16_t port = 0;
  std::string target = "/";  ///< path and query, as sent on the request line
  bool tls() const { return scheme == "https" || scheme == "wss"; }
  /// The Host header value: host, plus the port when it is not the scheme's default.
  std::string hostHeader() const;
};

/// Parses http://, https://, ws:// and wss:// URLs. Userinfo and fragments are refused.
sdk::Result<Url> parseUrl(std::string_view text);

/// Decodes %XX escapes (and '+' as space when `plusIsSpace`); malformed escapes are an error.
sdk::Result<std::string> percentDecode(std::string_view text, bool plusIsSpace);

/// Encodes everything outside RFC 3986's unreserved set.
std::string percentEncode(std::string_view text);

/// A request target split into its decoded path and query parameters (in order; repeats kept).
struct Target {
  std::string path;  ///< decoded, for messages and logs
  /// The path's segments, split on the raw '/' and then decoded one by one, so an escaped "%2F"
  /// stays inside its segment (an id containing a slash is still one path parameter).
  std::vector<std::string> segments;
  std::vector<std::pair<std::string, std::string>> query;
};

/// Splits and decodes an origin-form request target ("/v1/x?a=1"). Refuses targets that do not start
/// with '/', contain a NUL or control character after decoding, or hold a "." or ".." segment.
sdk::Result<Target> parseTarget(std::string_view target);

}  // namespace switchboard::http
