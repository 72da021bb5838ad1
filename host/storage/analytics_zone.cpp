#include "storage/analytics_zone.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

namespace switchboard::host::storage {

namespace {

// More spans than any zone has in a year (two transitions a year, a few for odd zones): a bound
// on the CASE the queries carry.
constexpr std::size_t kMaxSpans = 64;

std::int64_t floorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::int64_t offsetAt(const std::vector<OffsetSpan>& spans, std::int64_t t) {
  for (const auto& s : spans) {
    if (t < s.end) {
      return s.offsetMs;
    }
  }
  return spans.back().offsetMs;
}

std::string dateText(std::int64_t localMs) {
  const date::year_month_day ymd{date::sys_days{date::days{floorDiv(localMs, kDayMs)}}};
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return out;
}

std::string hourLabel(std::int64_t localHourStartMs, std::int64_t offsetMs) {
  const auto hour = floorDiv(localHourStartMs, kHourMs) - floorDiv(localHourStartMs, kDayMs) * 24;
  const std::int64_t minutes = (offsetMs < 0 ? -offsetMs : offsetMs) / 60'000;
  char out[40];
  std::snprintf(out, sizeof out, "%sT%02lld:00%c%02lld:%02lld", dateText(localHourStartMs).c_str(),
                static_cast<long long>(hour), offsetMs < 0 ? '-' : '+', static_cast<long long>(minutes / 60),
                static_cast<long long>(minutes % 60));
  return out;
}

}  // namespace

sdk::Result<std::vector<OffsetSpan>> offsetSpans(const sdk::AnalyticsRange& range) {
  if (range.to <= range.from || range.to - range.from > kMaxRangeMs) {
    return sdk::Error::permanent("analytics.invalid_range",
                                 "analytics range [" + std::to_string(range.from) + ", " + std::to_string(range.to) +
                                     ") must be non-empty and span at most 366 days");
  }
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(range.timeZone);
  } catch (const std::exception&) {
    return sdk::Error::permanent("analytics.unknown_time_zone",
                                 "time zone \"" + range.timeZone + "\" is not in the tz database");
  }
  using std::chrono::milliseconds;
  std::vector<OffsetSpan> spans;
  std::int64_t t = range.from;
  while (t < range.to && spans.size() < kMaxSpans) {
    const auto info = zone->get_info(date::floor<std::chrono::seconds>(date::sys_time<milliseconds>{milliseconds{t}}));
    // A zone without further transitions reports an end near the largest representable second;
    // in milliseconds that would overflow, so ends past the year 9999 stop there.
    constexpr std::int64_t kFarSeconds = 253'402'300'800;
    const std::int64_t endSeconds = std::min<std::int64_t>(info.end.time_since_epoch().count(), kFarSeconds);
    const std::int64_t end = endSeconds * 1000;
    spans.push_back({end, std::chrono::duration_cast<milliseconds>(info.offset).count()});
    t = end;
  }
  if (t < range.to) {
    return sdk::Error::permanent("analytics.invalid_range", "time zone \"" + range.timeZone +
                                                                "\" changes its offset too often within the range");
  }
  return spans;
}

std::string offsetSql(const std::vector<OffsetSpan>& spans, const std::string& column) {
  if (spans.size() == 1) {
    return "(" + std::to_string(spans[0].offsetMs) + ")";
  }
  std::string sql = "(CASE";
  for (std::size_t i = 0; i + 1 < spans.size(); ++i) {
    sql += " WHEN " + column + " < " + std::to_string(spans[i].end) + " THEN " + std::to_string(spans[i].offsetMs);
  }
  return sql + " ELSE " + std::to_string(spans.back().offsetMs) + " END)";
}

std::vector<LocalBucket> localBuckets(const sdk::AnalyticsRange& range, const std::vector<OffsetSpan>& spans,
                                      sdk::AnalyticsBucket bucket) {
  const bool hours = bucket == sdk::AnalyticsBucket::Hour;
  const std::int64_t length = hours ? kHourMs : kDayMs;
  std::vector<LocalBucket> out;
  std::set<std::pair<std::int64_t, std::int64_t>> seen;
  std::int64_t t = range.from;
  while (t < range.to) {
    const std::int64_t offset = offsetAt(spans, t);
    const std::int64_t index = floorDiv(t + offset, length);
    const std::int64_t keyOffset = hours ? offset : 0;
    if (seen.emplace(index, keyOffset).second) {
      LocalBucket b;
      b.index = index;
      b.offsetMs = keyOffset;
      b.start = index * length - offset;
      b.label = hours ? hourLabel(index * length, offset) : dateText(index * length);
      out.push_back(std::move(b));
    }
    // On to the next local boundary, or to the next offset change if that comes first (the
    // bucket's key may change there).
    std::int64_t next = (index + 1) * length - offset;
    for (const auto& s : spans) {
      if (t < s.end) {
        next = std::min(next, s.end);
        break;
      }
    }
    t = std::max(next, t + 1);
  }
  return out;
}

sdk::Result<std::int64_t> parseInstant(const std::string& text, const std::string& zone) {
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(zone);
  } catch (const std::exception&) {
    return sdk::Error::permanent("analytics.unknown_time_zone", "time zone \"" + zone + "\" is not in the tz database");
  }
  auto digits = [&](std::size_t from, std::size_t n, int& out) {
    out = 0;
    for (std::size_t i = from; i < from + n; ++i) {
      if (text[i] < '0' || text[i] > '9') {
        return false;
      }
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-' && digits(0, 4, y) && digits(5, 2, m) && digits(8, 2, d)) {
    const date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                                   date::day{static_cast<unsigned>(d)}};
    if (ymd.ok() && y >= 1970) {
      using std::chrono::milliseconds;
      const auto local = date::local_time<milliseconds>{date::local_days{ymd}.time_since_epoch()};
      return tz->to_sys(local, date::choose::earliest).time_since_epoch().count();
    }
  } else if (!text.empty() && text.size() <= 15 && text.find_first_not_of("0123456789") == std::string::npos) {
    return std::stoll(text);  // at most 15 digits: no overflow
  }
  return sdk::Error::permanent("analytics.invalid_time", "\"" + text.substr(0, 40) +
                                                             "\" is neither a date (2026-03-29) nor milliseconds");
}

}  // namespace switchboard::host::storage
