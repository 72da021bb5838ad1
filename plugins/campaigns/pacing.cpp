#include "pacing.hpp"

#include <algorithm>
#include <cmath>

#include "schedule.hpp"

namespace switchboard::campaigns {

AccountPacer::AccountPacer(double perMinute, double jitter, std::uint64_t seed)
    : gapMs_(60'000.0 / std::max(perMinute, 1e-6)), jitter_(std::clamp(jitter, 0.0, 1.0)), random_(seed) {}

void AccountPacer::take(sdk::TimestampMs now) {
  std::uniform_real_distribution<double> stretch(0.0, jitter_);
  const double gap = gapMs_ * (1.0 + (jitter_ > 0 ? stretch(random_) : 0.0));
  // From the later of the slot and the actual send, so a late timer never bunches messages.
  next_ = std::max(now, next_) + static_cast<sdk::TimestampMs>(std::ceil(gap));
}

void AccountPacer::delayUntil(sdk::TimestampMs at) { next_ = std::max(next_, at); }

sdk::TimestampMs outsideQuietHours(const QuietHours& quiet, const std::string& zone, sdk::TimestampMs at) {
  if (!quiet.active()) {
    return at;
  }
  std::string z = zone;
  auto local = localClock(z, at);
  if (!local) {
    z = "UTC";
    local = localClock(z, at);
  }
  const int m = local->minuteOfDay;
  const bool wraps = quiet.startMinute > quiet.endMinute;  // e.g. 21:00 .. 08:00
  const bool inside = wraps ? (m >= quiet.startMinute || m < quiet.endMinute)
                            : (m >= quiet.startMinute && m < quiet.endMinute);
  if (!inside) {
    return at;
  }
  // The window ends today, or tomorrow when it wrapped and we are before midnight.
  const int dayOffset = wraps && m >= quiet.startMinute ? 1 : 0;
  auto end = instantOfLocal(z, at, dayOffset, quiet.endMinute);
  return end ? std::max(*end, at) : at;
}

}  // namespace switchboard::campaigns
