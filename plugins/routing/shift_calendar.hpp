#pragma once

// Is an agent working right now? Working hours are wall-clock times in the agent's own time zone
// (sdk::Agent::hours, ::timeZone); a shift whose end is before its start runs past midnight into
// the next day; a holiday cancels the shifts that start on it (a night shift begun the evening
// before still ends). Minutes left are real minutes, so a shift over a DST change is measured
// right. Uses Howard Hinnant's date/tz library over the system's tz database.

#include <map>
#include <mutex>
#include <set>
#include <string>

#include "routing_config.hpp"
#include "switchboard/sdk/types.hpp"

namespace date {
class time_zone;
}

namespace switchboard::routing {

struct ShiftStatus {
  bool onShift = false;
  long long minutesLeft = 0;  ///< Until the current shift ends; very large for an agent with no hours.
  bool unknownZone = false;   ///< The agent's time zone is not in the tz database (treated as off shift).
};

class ShiftCalendar {
 public:
  ShiftCalendar(std::string defaultZone, std::set<Day> holidays, std::map<std::string, std::set<Day>> agentHolidays);

  /// @param zoneFallback used when the agent has no time zone (empty: the calendar's default).
  /// @param extraHolidays the policy's own holidays, on top of the plugin-wide and the agent's.
  ShiftStatus status(const sb::Agent& agent, sb::TimestampMs now, const std::string& zoneFallback,
                     const std::set<Day>& extraHolidays) const;

 private:
  const date::time_zone* zone(const std::string& name) const;
  bool holiday(const sb::Agent& agent, Day day, const std::set<Day>& extra) const;

  std::string defaultZone_;
  std::set<Day> holidays_;
  std::map<std::string, std::set<Day>> agentHolidays_;
  mutable std::mutex zonesMutex_;
  mutable std::map<std::string, const date::time_zone*> zones_;  // null: unknown name
};

}  // namespace switchboard::routing
