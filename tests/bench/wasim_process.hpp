#pragma once

// switchboard-wasim as a child process, driven over its stdin/stdout JSON line protocol (one
// command line in, one reply line out). The benchmarks run the simulator in its own process so
// the memory they measure is the connector's alone.

#include <sys/types.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"

namespace switchboard::bench {

class WasimProcess {
 public:
  /// Starts `binary` with `args` (plus --exit-on-stdin-eof --no-events) and reads its "started" line.
  static sdk::Result<std::unique_ptr<WasimProcess>> start(const std::string& binary, const std::vector<std::string>& args);
  ~WasimProcess();
  WasimProcess(const WasimProcess&) = delete;
  WasimProcess& operator=(const WasimProcess&) = delete;

  /// The "started" line: url, rootKey, control...
  const nlohmann::json& info() const { return info_; }
  /// Sends one command and waits for its reply; an error when the reply says ok=false.
  sdk::Result<nlohmann::json> command(nlohmann::json request);
  pid_t pid() const { return pid_; }
  /// User plus system CPU seconds the simulator process has used so far (/proc/<pid>/stat), or
  /// a negative number when it cannot be read.
  double cpuSeconds() const;
  /// Closes stdin (the simulator exits) and reaps the process.
  void stop();

 private:
  WasimProcess() = default;
  pid_t pid_ = -1;
  std::FILE* in_ = nullptr;   // its stdin
  std::FILE* out_ = nullptr;  // its stdout
  nlohmann::json info_;
  long nextId_ = 1;
};

}  // namespace switchboard::bench
