#include "business_hours.hpp"

#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <stdexcept>
#include <tuple>

namespace switchboard::autoresponder {
namespace {

using Ms = std::chrono::milliseconds;

constexpr const char* kDayNames[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

std::optional<int> parseNumber(const std::string& text, std::size_t from, std::size_t count) {
  if (from + count > text.size()) {
    return std::nullopt;
  }
  int v = 0;
  for (std::size_t i = from; i < from + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) {
      return std::nullopt;
    }
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

std::optional<Holiday> parseOneDate(const std::string& text) {
  Holiday h;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    auto y = parseNumber(text, 0, 4), m = parseNumber(text, 5, 2), d = parseNumber(text, 8, 2);
    if (!y || !m || !d || *y < 1970) {
      return std::nullopt;
    }
    h.year = *y, h.month = static_cast<unsigned>(*m), h.day = static_cast<unsigned>(*d);
    if (!date::year_month_day(date::year(h.year), date::month(h.month), date::day(h.day)).ok()) {
      return std::nullopt;
    }
  } else if (text.size() == 5 && text[2] == '-') {
    auto m = parseNumber(text, 0, 2), d = parseNumber(text, 3, 2);
    if (!m || !d) {
      return std::nullopt;
    }
    h.month = static_cast<unsigned>(*m), h.day = static_cast<unsigned>(*d);
    // Any leap year accepts 02-29.
    if (!date::year_month_day(date::year(2024), date::month(h.month), date::day(h.day)).ok()) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  h.endYear = h.year, h.endMonth = h.month, h.endDay = h.day;
  return h;
}

int monthDay(unsigned month, unsigned day) { return static_cast<int>(month * 100 + day); }

}  // namespace

sdk::Result<BusinessHours> BusinessHours::make(std::string name, const std::string& timeZone,
                                               std::vector<OpenInterval> intervals, std::vector<Holiday> holidays) {
  BusinessHours b;
  try {
    b.zone_ = date::locate_zone(timeZone);
  } catch (const std::exception&) {
    return sdk::Error::permanent("config.invalid", "unknown time zone \"" + timeZone +
                                                       "\" (an IANA name such as \"Europe/Berlin\" is expected)");
  }
  for (const auto& iv : intervals) {
    if (iv.weekday < 0 || iv.weekday > 6 || iv.startMinute < 0 || iv.startMinute >= 1440 || iv.endMinute < 0 ||
        iv.endMinute > 1440 || iv.startMinute == iv.endMinute) {
      return sdk::Error::permanent("config.invalid", "an opening interval is empty or out of range");
    }
  }
  b.name_ = std::move(name);
  b.timeZoneName_ = timeZone;
  b.intervals_ = std::move(intervals);
  b.holidays_ = std::move(holidays);
  return b;
}

std::optional<int> BusinessHours::parseClock(const std::string& text) {
  if (text.size() != 5 || text[2] != ':') {
    return std::nullopt;
  }
  auto h = parseNumber(text, 0, 2), m = parseNumber(text, 3, 2);
  if (!h || !m || *m > 59 || *h > 24 || (*h == 24 && *m != 0)) {
    return std::nullopt;
  }
  return *h * 60 + *m;
}

std::optional<Holiday> BusinessHours::parseHoliday(const std::string& text) {
  const auto dots = text.find("..");
  if (dots == std::string::npos) {
    return parseOneDate(text);
  }
  auto first = parseOneDate(text.substr(0, dots));
  auto last = parseOneDate(text.substr(dots + 2));
  if (!first || !last || (first->year == 0) != (last->year == 0)) {
    return std::nullopt;
  }
  if (first->year != 0 && std::tie(first->year, first->month, first->day) > std::tie(last->year, last->month, last->day)) {
    return std::nullopt;
  }
  first->endYear = last->year, first->endMonth = last->month, first->endDay = last->day;
  return first;
}

std::optional<std::vector<int>> BusinessHours::parseDays(const std::string& raw) {
  std::string text;
  for (char c : raw) {
    text += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (text == "daily" || text == "everyday") {
    return std::vector<int>{0, 1, 2, 3, 4, 5, 6};
  }
  if (text == "weekdays") {
    return std::vector<int>{1, 2, 3, 4, 5};
  }
  if (text == "weekend") {
    return std::vector<int>{0, 6};
  }
  static const char* const kFull[] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
  for (int d = 0; d < 7; ++d) {
    const std::string full = kFull[d];
    if (text.size() >= 3 && full.compare(0, text.size(), text) == 0) {
      return std::vector<int>{d};
    }
  }
  return std::nullopt;
}

bool BusinessHours::isHoliday(int year, unsigned month, unsigned day) const {
  for (const auto& h : holidays_) {
    if (h.year != 0) {
      if (std::tie(year, month, day) >= std::tie(h.year, h.month, h.day) &&
          std::tie(year, month, day) <= std::tie(h.endYear, h.endMonth, h.endDay)) {
        return true;
      }
      continue;
    }
    const int md = monthDay(month, day), from = monthDay(h.month, h.day), to = monthDay(h.endMonth, h.endDay);
    // A yearly range may wrap around New Year ("12-31..01-02").
    if (from <= to ? (md >= from && md <= to) : (md >= from || md <= to)) {
      return true;
    }
  }
  return false;
}

bool BusinessHours::isOpen(sdk::TimestampMs at) const {
  const auto local = zone_->to_local(date::sys_time<Ms>(Ms(at)));
  const auto day = date::floor<date::days>(local);
  const int minute = static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(local - day).count());
  const int weekday = static_cast<int>(date::weekday(day).c_encoding());
  const date::year_month_day today(day), yesterday(day - date::days(1));
  const bool todayOff = isHoliday(static_cast<int>(today.year()), static_cast<unsigned>(today.month()),
                                  static_cast<unsigned>(today.day()));
  const bool yesterdayOff = isHoliday(static_cast<int>(yesterday.year()), static_cast<unsigned>(yesterday.month()),
                                      static_cast<unsigned>(yesterday.day()));
  for (const auto& iv : intervals_) {
    const bool overnight = iv.endMinute <= iv.startMinute;
    if (iv.weekday == weekday && !todayOff && minute >= iv.startMinute &&
        minute < (overnight ? 1440 : iv.endMinute)) {
      return true;
    }
    if (overnight && iv.weekday == (weekday + 6) % 7 && !yesterdayOff && minute < iv.endMinute) {
      return true;
    }
  }
  return false;
}

std::optional<sdk::TimestampMs> BusinessHours::nextOpening(sdk::TimestampMs at) const {
  if (isOpen(at)) {
    return at;
  }
  const auto local = zone_->to_local(date::sys_time<Ms>(Ms(at)));
  const auto first = date::floor<date::days>(local);
  for (int offset = 0; offset <= 370; ++offset) {
    const auto day = first + date::days(offset);
    const date::year_month_day ymd(day);
    if (isHoliday(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()))) {
      continue;
    }
    const int weekday = static_cast<int>(date::weekday(day).c_encoding());
    std::optional<sdk::TimestampMs> best;
    for (const auto& iv : intervals_) {
      if (iv.weekday != weekday) {
        continue;
      }
      // A start inside a skipped daylight-saving hour maps to the moment the clocks jump.
      const auto start = zone_->to_sys(day + std::chrono::minutes(iv.startMinute), date::choose::earliest);
      const auto ms = std::chrono::duration_cast<Ms>(start.time_since_epoch()).count();
      if (ms > at && (!best || ms < *best)) {
        best = ms;
      }
    }
    if (best) {
      return best;
    }
  }
  return std::nullopt;
}

std::string BusinessHours::localText(sdk::TimestampMs at) const {
  const auto local = zone_->to_local(date::sys_time<Ms>(Ms(at)));
  const auto day = date::floor<date::days>(local);
  const auto minute = std::chrono::duration_cast<std::chrono::minutes>(local - day).count();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d", kDayNames[date::weekday(day).c_encoding()],
                static_cast<int>(minute / 60), static_cast<int>(minute % 60));
  return buf;
}

}  // namespace switchboard::autoresponder
