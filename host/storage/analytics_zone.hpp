#pragma once

// How the analytics queries read instants in an IANA time zone without time zone support in the
// database (SQLite has none): the range is cut into spans of constant UTC offset, the SQL adds
// the span's offset to each timestamp through a CASE over the span ends, and integer division by
// an hour or a day then gives the local bucket. The same arithmetic runs on both backends.

#include <cstdint>
#include <string>
#include <vector>

#include "switchboard/sdk/analytics.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::host::storage {

inline constexpr std::int64_t kHourMs = 3'600'000;
inline constexpr std::int64_t kDayMs = 86'400'000;
/// The longest range a query may span (a leap year).
inline constexpr std::int64_t kMaxRangeMs = 366 * kDayMs;

/// A span of constant offset: instants before `end` (and at or after the previous span's end).
struct OffsetSpan {
  std::int64_t end = 0;
  std::int64_t offsetMs = 0;
};

/// One local bucket: its key as the SQL computes it and how it is shown.
struct LocalBucket {
  std::int64_t index = 0;     // (ts + offset) / bucket length
  std::int64_t offsetMs = 0;  // part of the key for hours (a repeated hour), 0 for days
  std::int64_t start = 0;     // first instant, UTC ms
  std::string label;
};

/// The offset spans covering [range.from, range.to). Errors: analytics.invalid_range (empty,
/// reversed or longer than kMaxRangeMs), analytics.unknown_time_zone.
sdk::Result<std::vector<OffsetSpan>> offsetSpans(const sdk::AnalyticsRange& range);

/// SQL for the offset of the integer column `column`: a CASE over the spans (literals only).
std::string offsetSql(const std::vector<OffsetSpan>& spans, const std::string& column);

/// Every local hour or day the range touches, oldest first.
std::vector<LocalBucket> localBuckets(const sdk::AnalyticsRange& range, const std::vector<OffsetSpan>& spans,
                                      sdk::AnalyticsBucket bucket);

/// An instant given as text: "2026-03-29" (local midnight of that day in `zone`; a midnight
/// skipped by a change of clocks is the change itself) or milliseconds since the epoch. Errors:
/// analytics.invalid_time, analytics.unknown_time_zone.
sdk::Result<std::int64_t> parseInstant(const std::string& text, const std::string& zone);

}  // namespace switchboard::host::storage
