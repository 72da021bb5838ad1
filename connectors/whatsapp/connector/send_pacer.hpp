#pragma once

// Send pacing per account (ban avoidance): a token bucket of `burst` sends refilled at
// `perSecond`. It only answers "when may the next send go"; the session waits that long.

#include <chrono>

#include "connector/connector_config.hpp"

namespace switchboard::whatsapp::connector {

class SendPacer {
 public:
  using Clock = std::chrono::steady_clock;
  explicit SendPacer(PacingSettings settings) : settings_(settings), tokens_(settings.burst) {}

  /// Zero when a send may go now (and takes its token), else how long to wait before asking again.
  std::chrono::milliseconds acquire(Clock::time_point now);

 private:
  PacingSettings settings_;
  double tokens_;
  Clock::time_point last_{};
  bool started_ = false;
};

}  // namespace switchboard::whatsapp::connector
