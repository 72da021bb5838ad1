#pragma once

/// @file
/// @brief Outgoing HTTP(S) for plugins (SDK 1.2): the host's one client (TLS verification on by
/// default, a deadline on every call, no retries inside), so no plugin carries its own HTTP stack.
/// Obtained with PluginContext::httpClient().

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <string>

#include "switchboard/sdk/result.hpp"

namespace switchboard::sdk {

/// @brief How a client talks TLS and how long it waits.
struct HttpClientOptions {
  bool verifyTls = true;   ///< Chain and host-name checks; turn off only on an operator's explicit choice.
  std::string caFile;      ///< PEM bundle to trust instead of the system store (a private CA).
  std::string caPem;       ///< PEM text to trust in addition.
  std::chrono::milliseconds timeout{30000};       ///< Default deadline of a whole call.
  std::size_t maxResponseBytes = 4 * 1024 * 1024;  ///< Larger responses are an error.
};

/// @brief One outgoing request.
struct HttpCall {
  std::string method = "GET";
  std::string url;                             ///< http:// or https://
  std::map<std::string, std::string> headers;  ///< Sent as given (Authorization, Content-Type, ...).
  std::string body;
  std::chrono::milliseconds timeout{0};        ///< 0: the client's default.
};

/// @brief A response, whatever its status.
struct HttpReply {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  ///< Names in lower case.
  std::string body;
  /// @param lowerName a header name in lower case. @return its value, empty when absent.
  std::string header(const std::string& lowerName) const {
    auto it = headers.find(lowerName);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  /// @brief Receives the response of any status, or an error for not getting one: "http.url",
  /// "http.tls" (permanent), "http.connect", "http.timeout", "http.io" (retriable), "http.response"
  /// (malformed or too large).
  using Done = std::function<void(Result<HttpReply>)>;
  /// @brief Sends one request on a new connection. `done` runs once, on the plugin's strand. Nothing
  /// is retried: the caller knows whether the request may be repeated.
  virtual void request(HttpCall call, Done done) = 0;
};

}  // namespace switchboard::sdk
