#pragma once

// Waits between reconnection attempts: exponential from `initial` up to `max`, each scaled by a
// random factor so that thousands of accounts cut off together do not come back together.

#include <chrono>
#include <cstdint>
#include <functional>

#include "connector/connector_config.hpp"

namespace switchboard::whatsapp::connector {

class Backoff {
 public:
  /// @param random returns a uniform double in [0, 1); a default source when empty.
  explicit Backoff(ReconnectSettings settings, std::function<double()> random = {});

  /// The wait before the next attempt; counts one more failure.
  std::chrono::milliseconds next();
  /// After a connection that worked.
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }
  /// True once `parkAfter` consecutive attempts failed.
  bool exhausted() const { return failures_ >= settings_.parkAfter; }

 private:
  ReconnectSettings settings_;
  std::function<double()> random_;
  int failures_ = 0;
};

}  // namespace switchboard::whatsapp::connector
