#pragma once

// When a campaign runs: once now, once at a local time in a time zone, or again and again at a
// local time of day (on chosen weekdays). Times are computed with the IANA database, so "09:00 in
// Europe/Berlin" stays 09:00 across daylight-saving changes.

#include <optional>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::campaigns {

struct Schedule {
  enum class Kind { Now, At, Recurring };
  Kind kind = Kind::Now;
  std::string timeZone = "UTC";
  std::string localTime;      ///< At: "YYYY-MM-DD HH:MM" (or with 'T'); Recurring: "HH:MM".
  std::vector<int> weekdays;  ///< Recurring: 0 = Sunday .. 6; empty = every day.
  int maxRuns = 0;            ///< Recurring: stop after this many runs (0 = no limit).

  /// Checks the zone and the times; an error names the key at fault.
  sdk::Status validate() const;
  /// The first run at or after `from` (Now: `from` itself; At in the past: due at once, `from`);
  /// nullopt when there is none. After a recurring run at T, the next is nextRun(T + 1).
  std::optional<sdk::TimestampMs> nextRun(sdk::TimestampMs from) const;
};

const char* toString(Schedule::Kind k);

/// Local wall-clock minutes after midnight and weekday (0 = Sunday) of `at` in `zone`; nullopt
/// for an unknown zone.
struct LocalClock {
  int minuteOfDay = 0;
  int weekday = 0;
};
std::optional<LocalClock> localClock(const std::string& zone, sdk::TimestampMs at);

/// The instant a local time of the day containing `at` (in `zone`) falls on, plus `dayOffset`
/// days; for a time skipped by a daylight-saving change, the first valid instant after it.
std::optional<sdk::TimestampMs> instantOfLocal(const std::string& zone, sdk::TimestampMs at, int dayOffset,
                                               int minuteOfDay);

}  // namespace switchboard::campaigns
