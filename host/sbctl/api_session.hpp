#pragma once

// One sbctl invocation's connection settings and calls to the admin API, with errors mapped to
// exit codes and printed as one line on stderr.

#include <nlohmann/json.hpp>
#include <initializer_list>
#include <optional>
#include <string>

#include "http/client.hpp"
#include "sbctl/exit_codes.hpp"

namespace switchboard::sbctl {

using json = nlohmann::json;

struct Connection {
  std::string url = "http://127.0.0.1:8080";  ///< --url, SBCTL_URL
  std::string token;                          ///< from --token-file, SBCTL_TOKEN_FILE or SBCTL_TOKEN
  std::string tenant;                         ///< --tenant, SBCTL_TENANT
  http::ClientOptions client;                 ///< --ca-file, --insecure, --timeout
};

/// The answer to one call: a response, or the exit code to leave with (the message already printed).
struct Answer {
  int exit = kOk;
  unsigned status = 0;
  json body;
  std::string raw;
  http::Headers headers;
  bool ok() const { return exit == kOk; }
};

class ApiSession {
 public:
  explicit ApiSession(Connection c) : c_(std::move(c)) {}
  const Connection& connection() const { return c_; }

  /// `path` relative to the base URL ("/v1/agents"); the tenant is added as a query parameter.
  /// Non-2xx answers are reported on stderr and mapped to an exit code; statuses in `quiet` are
  /// left unreported (the caller handles them).
  Answer call(const std::string& method, const std::string& path, const std::optional<json>& body = std::nullopt,
              std::initializer_list<unsigned> quiet = {});
  /// The URL of a path with the tenant parameter.
  std::string url(const std::string& path) const;
  /// Maps a transport error to an exit code after printing it.
  static int reportTransport(const sdk::Error& e);

 private:
  Connection c_;
};

}  // namespace switchboard::sbctl
