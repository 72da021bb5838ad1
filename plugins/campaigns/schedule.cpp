#include "schedule.hpp"

#include <date/tz.h>

#include <chrono>
#include <cstdio>

namespace switchboard::campaigns {
namespace {

using Ms = std::chrono::milliseconds;

const date::time_zone* zoneOrNull(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {  // the tz library reports an unknown zone by throwing
    return nullptr;
  }
}

sdk::Status invalid(const std::string& what) { return sdk::Error::permanent("campaign.invalid", "schedule." + what); }

// "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM" as local days and minutes.
bool parseLocalDateTime(const std::string& s, date::local_days& day, int& minute) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  char sep = 0;
  if (s.size() != 16 || std::sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d", &y, &mo, &d, &sep, &h, &mi) != 6 ||
      (sep != ' ' && sep != 'T') || h > 23 || mi > 59 || h < 0 || mi < 0) {
    return false;
  }
  const date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(mo)),
                                 date::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) {
    return false;
  }
  day = date::local_days(ymd);
  minute = h * 60 + mi;
  return true;
}

bool parseHourMinute(const std::string& s, int& minute) {
  int h = 0, mi = 0;
  if (s.size() != 5 || std::sscanf(s.c_str(), "%2d:%2d", &h, &mi) != 2 || h < 0 || h > 23 || mi < 0 || mi > 59) {
    return false;
  }
  minute = h * 60 + mi;
  return true;
}

sdk::TimestampMs toSys(const date::time_zone* z, date::local_days day, int minute) {
  const auto local = date::local_time<Ms>(day) + std::chrono::minutes(minute);
  const auto info = z->get_info(date::floor<std::chrono::seconds>(local));
  if (info.result == date::local_info::nonexistent) {
    // Skipped by a spring-forward change: the first instant after the gap.
    return std::chrono::duration_cast<Ms>(info.second.begin.time_since_epoch()).count();
  }
  return z->to_sys(local, date::choose::earliest).time_since_epoch().count();
}

}  // namespace

const char* toString(Schedule::Kind k) {
  switch (k) {
    case Schedule::Kind::Now: return "now";
    case Schedule::Kind::At: return "at";
    case Schedule::Kind::Recurring: return "recurring";
  }
  return "now";
}

std::optional<LocalClock> localClock(const std::string& zone, sdk::TimestampMs at) {
  const auto* z = zoneOrNull(zone);
  if (z == nullptr) {
    return std::nullopt;
  }
  const auto local = z->to_local(date::sys_time<Ms>(Ms(at)));
  const auto day = date::floor<date::days>(local);
  LocalClock c;
  c.minuteOfDay = static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
  c.weekday = static_cast<int>(date::weekday(day).c_encoding());
  return c;
}

std::optional<sdk::TimestampMs> instantOfLocal(const std::string& zone, sdk::TimestampMs at, int dayOffset,
                                               int minuteOfDay) {
  const auto* z = zoneOrNull(zone);
  if (z == nullptr) {
    return std::nullopt;
  }
  const auto day = date::floor<date::days>(z->to_local(date::sys_time<Ms>(Ms(at)))) + date::days(dayOffset);
  return toSys(z, day, minuteOfDay);
}

sdk::Status Schedule::validate() const {
  if (zoneOrNull(timeZone) == nullptr) {
    return invalid("time_zone: unknown time zone \"" + timeZone + "\"");
  }
  date::local_days day;
  int minute = 0;
  if (kind == Kind::At && !parseLocalDateTime(localTime, day, minute)) {
    return invalid("at: \"" + localTime + "\" is not a local time \"YYYY-MM-DD HH:MM\"");
  }
  if (kind == Kind::Recurring) {
    if (!parseHourMinute(localTime, minute)) {
      return invalid("time: \"" + localTime + "\" is not a time of day \"HH:MM\"");
    }
    for (int w : weekdays) {
      if (w < 0 || w > 6) {
        return invalid("weekdays: " + std::to_string(w) + " is not a weekday 0 (Sunday) .. 6");
      }
    }
    if (maxRuns < 0) {
      return invalid("max_runs: must not be negative");
    }
  }
  return sdk::okStatus();
}

std::optional<sdk::TimestampMs> Schedule::nextRun(sdk::TimestampMs from) const {
  const auto* z = zoneOrNull(timeZone);
  if (z == nullptr) {
    return std::nullopt;
  }
  if (kind == Kind::Now) {
    return from;
  }
  date::local_days day;
  int minute = 0;
  if (kind == Kind::At) {
    if (!parseLocalDateTime(localTime, day, minute)) {
      return std::nullopt;
    }
    return std::max(from, toSys(z, day, minute));
  }
  if (!parseHourMinute(localTime, minute)) {
    return std::nullopt;
  }
  const auto today = date::floor<date::days>(z->to_local(date::sys_time<Ms>(Ms(from))));
  for (int offset = 0; offset <= 8; ++offset) {
    const auto d = today + date::days(offset);
    const int weekday = static_cast<int>(date::weekday(d).c_encoding());
    if (!weekdays.empty() && std::find(weekdays.begin(), weekdays.end(), weekday) == weekdays.end()) {
      continue;
    }
    const auto at = toSys(z, d, minute);
    if (at >= from) {
      return at;
    }
  }
  return std::nullopt;
}

}  // namespace switchboard::campaigns
