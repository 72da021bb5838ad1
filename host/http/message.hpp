#pragma once

// What a route handler sees (Request) and gives back (Response). Bodies are strings; JSON is the
// common case, so Response has helpers for it and for the project's error body
// {"error":{"code":"...","message":"..."}}.

#include <boost/asio/ip/tcp.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "switchboard/sdk/result.hpp"

namespace switchboard::http {

namespace sdk = switchboard::sdk;

/// Case-insensitive header names, as HTTP defines them.
struct HeaderLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
using Headers = std::map<std::string, std::string, HeaderLess>;

struct Request {
  std::string method;  ///< upper case, as received: "GET", "POST", ...
  std::string target;  ///< the raw request target
  std::string path;    ///< decoded path, without the query
  std::vector<std::pair<std::string, std::string>> query;  ///< decoded, in order
  std::map<std::string, std::string> params;  ///< values of the route pattern's {placeholders}
  Headers headers;     ///< repeated headers are joined with ", "
  std::string body;
  boost::asio::ip::tcp::endpoint remote;
  bool tls = false;

  /// The first query value for `name`, if any.
  std::optional<std::string> queryValue(std::string_view name) const;
  /// The path parameter `name`; empty when the route has none of that name.
  const std::string& param(const std::string& name) const;
  /// The header value, empty when absent.
  std::string header(const std::string& name) const;
  /// The body parsed as JSON; an error value (code "bad_json") naming the parse position otherwise.
  sdk::Result<nlohmann::json> jsonBody() const;
};

struct Response {
  unsigned status = 200;
  std::string contentType = "application/json";
  std::string body;
  Headers headers;  ///< extra headers (Content-Type and Content-Length are set from the fields above)

  static Response json(unsigned status, const nlohmann::json& value);
  static Response text(unsigned status, std::string body, std::string contentType = "text/plain; charset=utf-8");
  /// The project's JSON error body.
  static Response error(unsigned status, std::string_view code, std::string_view message);
  /// An SDK error mapped to a status: "not_found" codes to 404, retriable errors to 503, others to 400
  /// unless `status` is given.
  static Response fromError(const sdk::Error& error, unsigned status = 0);
  static Response noContent() { return Response{204, "", "", {}}; }
};

}  // namespace switchboard::http
