#pragma once

// How fast one account sends: at most `perMinute` messages a minute, each gap stretched at random
// by up to `jitter` of itself (so the pattern is not machine-regular, and the rate never exceeds
// the configured one), and nothing during the recipient's quiet hours.

#include <cstdint>
#include <random>
#include <string>

#include "campaign.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::campaigns {

class AccountPacer {
 public:
  AccountPacer(double perMinute, double jitter, std::uint64_t seed);

  /// When the next message may go (the first one: at once).
  sdk::TimestampMs nextSlot() const { return next_; }
  /// Takes the slot for a message sent at `now` and sets the next one after it.
  void take(sdk::TimestampMs now);
  /// Postpones the next slot to `at` (a retriable failure backs off).
  void delayUntil(sdk::TimestampMs at);
  /// The gap without jitter, in milliseconds.
  double baseGapMs() const { return gapMs_; }

 private:
  double gapMs_;
  double jitter_;
  std::mt19937_64 random_;
  sdk::TimestampMs next_ = 0;
};

/// When a message to a recipient in `zone` may start at or after `at` under `quiet`: `at` itself
/// outside quiet hours, else the end of the quiet window. An unknown zone falls back to UTC.
sdk::TimestampMs outsideQuietHours(const QuietHours& quiet, const std::string& zone, sdk::TimestampMs at);

}  // namespace switchboard::campaigns
