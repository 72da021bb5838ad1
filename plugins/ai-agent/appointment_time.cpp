#include "appointment_time.hpp"

#include <date/date.h>

#include <cctype>
#include <cstdio>

namespace switchboard::aiagent {
namespace {

std::optional<int> digits(const std::string& s, std::size_t at, std::size_t n) {
  if (at + n > s.size()) {
    return std::nullopt;
  }
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
      return std::nullopt;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<std::int64_t> parseIsoTime(const std::string& s) {
  auto y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2), h = digits(s, 11, 2), mi = digits(s, 14, 2);
  if (!y || !mo || !d || !h || !mi || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':') {
    return std::nullopt;
  }
  std::size_t pos = 16;
  int sec = 0;
  if (pos < s.size() && s[pos] == ':') {
    auto ss = digits(s, pos + 1, 2);
    if (!ss || *ss > 60) {
      return std::nullopt;
    }
    sec = *ss;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {  // fractions of a second are dropped
      ++pos;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        ++pos;
      }
    }
  }
  int offsetMinutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    auto oh = digits(s, pos + 1, 2);
    std::size_t next = pos + 3;
    if (next < s.size() && s[next] == ':') {
      ++next;
    }
    auto om = digits(s, next, 2);
    if (!oh || !om || *oh > 14 || *om > 59) {
      return std::nullopt;
    }
    offsetMinutes = sign * (*oh * 60 + *om);
    pos = next + 2;
  } else {
    return std::nullopt;
  }
  if (pos != s.size() || *h > 23 || *mi > 59) {
    return std::nullopt;
  }
  const date::year_month_day ymd{date::year(*y), date::month(static_cast<unsigned>(*mo)),
                                 date::day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) {
    return std::nullopt;
  }
  const auto days = date::sys_days(ymd).time_since_epoch().count();
  const std::int64_t seconds = static_cast<std::int64_t>(days) * 86400 + *h * 3600 + *mi * 60 + sec -
                               static_cast<std::int64_t>(offsetMinutes) * 60;
  return seconds * 1000;
}

std::string formatUtc(std::int64_t ms) {
  const auto tp = date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms));
  const auto day = date::floor<date::days>(tp);
  const date::year_month_day ymd(day);
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(tp - day).count();
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d UTC", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return buf;
}

}  // namespace switchboard::aiagent
