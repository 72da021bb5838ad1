#pragma once

// json-server (npm, tests/node) run as a child process on loopback: a REST server no one here
// wrote, standing in for a CRM. Its data lives in a JSON file that survives stop() and start(), so
// a test can take the server away and bring it back on the same port with the same data.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "switchboard/sdk/result.hpp"

namespace switchboard::crm::test {

class JsonServer {
 public:
  /// `node` and `cli`: the node executable and json-server's bin script. The database starts as
  /// `collections` (each an empty array) in `dbFile`.
  JsonServer(std::string node, std::string cli, std::filesystem::path dbFile,
             std::initializer_list<const char*> collections);
  ~JsonServer();
  JsonServer(const JsonServer&) = delete;
  JsonServer& operator=(const JsonServer&) = delete;

  /// Starts it (on the port of the first start, or a free one) and waits until it answers.
  sdk::Status start();
  /// Stops it (SIGTERM, then waits for the process).
  void stop();
  bool running() const { return pid_ > 0; }

  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
  /// GET `path` from the running server, as JSON. Errors: the call failed or the answer was not 2xx JSON.
  sdk::Result<nlohmann::json> get(const std::string& path) const;

  /// json-server's executable and script from the environment (SB_NODE, SB_JSON_SERVER), or empty.
  static std::string nodeFromEnv();
  static std::string cliFromEnv();

 private:
  std::string node_, cli_;
  std::filesystem::path db_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace switchboard::crm::test
