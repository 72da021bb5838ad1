#include "daily_summary.hpp"

#include <cstdio>

namespace switchboard::analytics {

namespace {

std::string mean(const sdk::AnalyticsMean& m) {
  if (m.count == 0) {
    return "";
  }
  char out[48];
  std::snprintf(out, sizeof out, "%.3f", m.mean());
  return out;
}

std::string ratio(double r) {
  char out[32];
  std::snprintf(out, sizeof out, "%.4f", r);
  return out;
}

}  // namespace

sdk::Event dailySummaryEvent(const sdk::TenantId& tenant, const LocalDay& day, const sdk::AnalyticsSummary& s,
                             sdk::TimestampMs now) {
  sdk::Event e;
  e.type = kEventDailySummary;
  e.tenant = tenant;
  e.subject = day.label;
  e.timestamp = now;
  e.attributes = {
      {"day", day.label},
      {"time_zone", day.range.timeZone},
      {"from", std::to_string(day.range.from)},
      {"to", std::to_string(day.range.to)},
      {"inbound_messages", std::to_string(s.inboundMessages)},
      {"outbound_messages", std::to_string(s.outboundMessages)},
      {"conversations", std::to_string(s.episodes)},
      {"resolved", std::to_string(s.resolved)},
      {"resolution_rate", ratio(s.resolutionRate())},
      {"first_response_ms", mean(s.firstResponseMs)},
      {"response_ms", mean(s.responseMs)},
      {"unanswered_turns", std::to_string(s.unansweredTurns)},
      {"duration_ms", mean(s.durationMs)},
      {"surveys_sent", std::to_string(s.satisfaction.sent)},
      {"surveys_answered", std::to_string(s.satisfaction.answered)},
      {"satisfaction", mean(s.satisfaction.score)},
  };
  return e;
}

}  // namespace switchboard::analytics
