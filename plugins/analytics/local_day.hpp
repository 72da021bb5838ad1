#pragma once

// Local calendar days in an IANA time zone: what "yesterday" and "today" mean for the daily
// summary and the gauges. A day may be 23 or 25 hours long.

#include <string>

#include "switchboard/sdk/analytics.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::analytics {

struct LocalDay {
  std::string label;            ///< "2026-03-29"
  sdk::AnalyticsRange range;    ///< [local midnight, next local midnight) in the zone
};

/// The local day containing `instant`. Error analytics.unknown_time_zone for a name the tz
/// database does not know.
sdk::Result<LocalDay> localDayOf(sdk::TimestampMs instant, const std::string& zone);

/// Checks a zone name (config validation).
bool knownTimeZone(const std::string& zone);

}  // namespace switchboard::analytics
