// Traffic figures for the console's charts: messages per minute and response times over the last
// minutes, from the stored messages.

#include <chrono>

#include "admin/admin_queries.hpp"
#include "admin/api_routes.hpp"
#include "admin/message_stats.hpp"

namespace switchboard::admin {
namespace {

// Rows read at most per request: bounds the work of one call on a busy store; the answer says
// when the window held more.
constexpr int kMaxRows = 50'000;
// Messages this much older than the window are still read: a reply in the window may answer them,
// and a message delivered late carries its older send time.
constexpr std::int64_t kTurnMarginMs = 3'600'000;

json summaryJson(const ResponseSummary& s) {
  return {{"count", s.count}, {"avg_ms", s.avgMs}, {"p50_ms", s.p50Ms}, {"p90_ms", s.p90Ms}, {"max_ms", s.maxMs}};
}

http::Response messageStats(Call& call) {
  auto minutes = call.queryInt("minutes", 60, 1, 1440);
  if (!minutes) {
    return errorResponse(minutes.error());
  }
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const std::int64_t windowStart = (now / 60'000 + 1 - *minutes) * 60'000;
  auto recent = AdminQueries(call.storage()).recentMessages(windowStart - kTurnMarginMs, kMaxRows);
  if (!recent) {
    return errorResponse(recent.error());
  }
  const auto stats = summarizeMessages(std::move(recent->rows), now, *minutes);
  json perMinute = json::array();
  for (const auto& m : stats.minutes) {
    perMinute.push_back({{"start", m.start},
                         {"in", m.in},
                         {"out", m.out},
                         {"responses", m.responses},
                         {"response_avg_ms", m.responseAvgMs}});
  }
  json responses = summaryJson(stats.responses);
  responses["automatic"] = summaryJson(stats.automatic);
  responses["agent"] = summaryJson(stats.agent);
  return http::Response::json(200, {{"from", stats.from},
                                    {"to", stats.to},
                                    {"minutes", perMinute},
                                    {"responses", responses},
                                    {"truncated", recent->truncated}});
}

}  // namespace

void addStatsRoutes(ApiRoutes& routes) {
  routes.add("GET", "/v1/stats/messages", Access::Read, "", messageStats);
}

}  // namespace switchboard::admin
