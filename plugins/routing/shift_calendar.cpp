#include "shift_calendar.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <limits>
#include <optional>

namespace switchboard::routing {

namespace {
constexpr int kMinutesPerDay = 24 * 60;
}

ShiftCalendar::ShiftCalendar(std::string defaultZone, std::set<Day> holidays,
                             std::map<std::string, std::set<Day>> agentHolidays)
    : defaultZone_(std::move(defaultZone)), holidays_(std::move(holidays)), agentHolidays_(std::move(agentHolidays)) {}

const date::time_zone* ShiftCalendar::zone(const std::string& name) const {
  std::lock_guard lock(zonesMutex_);
  auto it = zones_.find(name);
  if (it != zones_.end()) {
    return it->second;
  }
  const date::time_zone* z = nullptr;
  try {
    z = date::locate_zone(name);
  } catch (const std::exception&) {
    z = nullptr;  // a zone name stored with the agent that the tz database does not know
  }
  zones_.emplace(name, z);
  return z;
}

bool ShiftCalendar::holiday(const sb::Agent& agent, Day day, const std::set<Day>& extra) const {
  if (holidays_.count(day) != 0 || extra.count(day) != 0) {
    return true;
  }
  auto it = agentHolidays_.find(agent.id);
  return it != agentHolidays_.end() && it->second.count(day) != 0;
}

ShiftStatus ShiftCalendar::status(const sb::Agent& agent, sb::TimestampMs now, const std::string& zoneFallback,
                                  const std::set<Day>& extraHolidays) const {
  using namespace std::chrono;
  ShiftStatus out;
  const std::string& name = !agent.timeZone.empty() ? agent.timeZone
                            : !zoneFallback.empty() ? zoneFallback
                                                    : defaultZone_;
  const auto* tz = zone(name);
  if (tz == nullptr) {
    out.unknownZone = true;
    return out;
  }
  const date::sys_time<milliseconds> instant{milliseconds(now)};
  const auto local = tz->to_local(instant);
  const auto localDay = date::floor<date::days>(local);
  const int minute = static_cast<int>(duration_cast<minutes>(local - localDay).count());
  const int weekday = static_cast<int>(date::weekday(localDay).c_encoding());  // 0 = Sunday, as sdk::Shift
  const Day today = static_cast<Day>(localDay.time_since_epoch().count());

  if (agent.hours.empty()) {  // no hours: always on shift, except on a holiday
    out.onShift = !holiday(agent, today, extraHolidays);
    out.minutesLeft = out.onShift ? std::numeric_limits<int>::max() : 0;
    return out;
  }
  // Real minutes from now to a wall-clock end; at a DST fold the later of the two instants, so
  // the wall-clock test above and this measure agree that the shift is still on.
  auto minutesUntil = [&](date::local_time<minutes> end) {
    const auto endSys = tz->to_sys(end, date::choose::latest);
    return static_cast<long long>(duration_cast<minutes>(endSys - instant).count());
  };
  for (const auto& s : agent.hours) {
    const int start = std::clamp(s.startMinute, 0, kMinutesPerDay);
    const int end = std::clamp(s.endMinute, 0, kMinutesPerDay);
    const bool overnight = end < start;
    std::optional<date::local_time<minutes>> ends;
    if (s.weekday == weekday && minute >= start && (overnight || minute < end) &&
        !holiday(agent, today, extraHolidays)) {
      ends = localDay + (overnight ? date::days(1) : date::days(0)) + minutes(end);
    } else if (overnight && (s.weekday + 1) % 7 == weekday && minute < end &&
               !holiday(agent, today - 1, extraHolidays)) {
      ends = localDay + minutes(end);  // the second half of last night's shift
    }
    if (ends) {
      out.onShift = true;
      out.minutesLeft = std::max(out.minutesLeft, minutesUntil(*ends));
    }
  }
  return out;
}

}  // namespace switchboard::routing
