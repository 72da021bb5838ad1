#pragma once

// Business hours: weekly opening intervals in a time zone, and holidays. The time zone database
// is the system's (tzdata, through Howard Hinnant's date/tz), so daylight-saving changes follow
// the zone's rules: hours are wall-clock hours in that zone.
//
// An interval whose end is not after its start runs past midnight ("22:00" to "02:00" on Saturday
// is open from Saturday 22:00 to Sunday 02:00). A holiday closes the intervals that *start* on
// that date; a night shift that began the evening before still runs to its end.

#include <optional>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace date {
class time_zone;
}

namespace switchboard::autoresponder {

struct OpenInterval {
  int weekday = 0;      ///< 0 = Sunday ... 6 = Saturday, local to the schedule's zone.
  int startMinute = 0;  ///< Minutes since local midnight, 0..1439.
  int endMinute = 0;    ///< 1..1440; not after startMinute: ends on the next day.
};

struct Holiday {
  int year = 0;         ///< 0: every year.
  unsigned month = 1, day = 1;
  int endYear = 0;      ///< With a range "A..B": the last day (inclusive); otherwise equal to the first.
  unsigned endMonth = 1, endDay = 1;
};

class BusinessHours {
 public:
  /// @return an error naming the time zone when tzdata does not know it.
  static sdk::Result<BusinessHours> make(std::string name, const std::string& timeZone,
                                         std::vector<OpenInterval> intervals, std::vector<Holiday> holidays);

  /// Parses "HH:MM" (00:00..24:00) into minutes.
  static std::optional<int> parseClock(const std::string& text);
  /// Parses "YYYY-MM-DD", "MM-DD" (every year), or "A..B" with A and B in one of those forms.
  static std::optional<Holiday> parseHoliday(const std::string& text);
  /// "sun".."sat", "monday".., or "weekdays"/"weekend"/"daily": the weekdays named (0 = Sunday).
  static std::optional<std::vector<int>> parseDays(const std::string& text);

  bool isOpen(sdk::TimestampMs at) const;
  /// The next instant at or after `at` when the schedule is open (searching a year ahead).
  std::optional<sdk::TimestampMs> nextOpening(sdk::TimestampMs at) const;
  /// `at` as local wall-clock text, e.g. "Mon 09:00".
  std::string localText(sdk::TimestampMs at) const;

  const std::string& name() const { return name_; }
  const std::string& timeZone() const { return timeZoneName_; }

 private:
  bool isHoliday(int year, unsigned month, unsigned day) const;

  std::string name_;
  std::string timeZoneName_;
  const date::time_zone* zone_ = nullptr;
  std::vector<OpenInterval> intervals_;
  std::vector<Holiday> holidays_;
};

}  // namespace switchboard::autoresponder
