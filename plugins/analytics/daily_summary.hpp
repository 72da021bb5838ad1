#pragma once

// The daily summary record: one event per local day with the day's figures, published through
// the host so it reaches the bus and Kafka `events` (type analytics.daily_summary).

#include "local_day.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::analytics {

inline constexpr const char* kEventDailySummary = "analytics.daily_summary";

/// The event for `day`'s summary. Attributes are decimal strings; means in milliseconds (or
/// score points) with three decimals, "" when there was no sample.
sdk::Event dailySummaryEvent(const sdk::TenantId& tenant, const LocalDay& day, const sdk::AnalyticsSummary& s,
                             sdk::TimestampMs now);

}  // namespace switchboard::analytics
