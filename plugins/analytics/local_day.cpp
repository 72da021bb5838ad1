#include "local_day.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <cstdio>

namespace switchboard::analytics {

namespace {

const date::time_zone* find(const std::string& zone) {
  try {
    return date::locate_zone(zone);
  } catch (const std::exception&) {
    return nullptr;
  }
}

sdk::TimestampMs toMs(date::sys_time<std::chrono::milliseconds> t) { return t.time_since_epoch().count(); }

}  // namespace

bool knownTimeZone(const std::string& zone) { return find(zone) != nullptr; }

sdk::Result<LocalDay> localDayOf(sdk::TimestampMs instant, const std::string& zone) {
  const auto* tz = find(zone);
  if (tz == nullptr) {
    return sdk::Error::permanent("analytics.unknown_time_zone", "time zone \"" + zone + "\" is not in the tz database");
  }
  using std::chrono::milliseconds;
  const auto local = tz->to_local(date::sys_time<milliseconds>{milliseconds{instant}});
  const auto day = date::floor<date::days>(local);
  // A midnight skipped by a change of clocks maps to the change itself (choose::earliest).
  const auto from = tz->to_sys(date::local_time<milliseconds>{day}, date::choose::earliest);
  const auto to = tz->to_sys(date::local_time<milliseconds>{day + date::days{1}}, date::choose::earliest);
  const date::year_month_day ymd{day};
  char label[16];
  std::snprintf(label, sizeof label, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return LocalDay{label, {toMs(from), toMs(to), zone}};
}

}  // namespace switchboard::analytics
