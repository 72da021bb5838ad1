// The figures of the operation over a date range read in a time zone: a summary, messages per
// local hour or day, and the agents' figures in leaderboard order; each as JSON or as CSV for a
// spreadsheet. Read-only: the storage computes everything in SQL (sdk/analytics.hpp).

#include <chrono>
#include <cstdio>

#include "admin/api_routes.hpp"
#include "storage/analytics_zone.hpp"

namespace switchboard::admin {
namespace {

using host::storage::parseInstant;

constexpr std::int64_t kWeekMs = 7 * 86'400'000LL;

// A bad parameter is the caller's mistake (400), whatever word its code contains.
http::Response invalid(const sdk::Error& e) { return http::Response::error(400, e.code, e.message); }

struct Query {
  sdk::AnalyticsRange range;
  bool csv = false;
};

// from, to: a local date in `tz` ("2026-03-29", to is exclusive) or epoch milliseconds; by default
// the last seven days up to now. tz: an IANA name (default UTC). format: json (default) or csv.
sdk::Result<Query> readQuery(const Call& call) {
  Query q;
  q.range.timeZone = call.request.queryValue("tz").value_or("UTC");
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  q.range.to = now;
  if (auto to = call.request.queryValue("to")) {
    auto t = parseInstant(*to, q.range.timeZone);
    SB_TRY(t);
    q.range.to = t.value();
  } else if (auto zoneCheck = parseInstant("1970-01-01", q.range.timeZone); !zoneCheck.ok()) {
    return zoneCheck.takeError();
  }
  q.range.from = q.range.to - kWeekMs;
  if (auto from = call.request.queryValue("from")) {
    auto f = parseInstant(*from, q.range.timeZone);
    SB_TRY(f);
    q.range.from = f.value();
  }
  const auto format = call.request.queryValue("format").value_or("json");
  if (format != "json" && format != "csv") {
    return sdk::Error::permanent("invalid", "query parameter \"format\" must be json or csv");
  }
  q.csv = format == "csv";
  return q;
}

// A CSV field: quoted when it holds a separator, a quote or a line break; a leading = + - @ is
// escaped so a spreadsheet does not run an agent's name as a formula.
std::string field(const std::string& v) {
  std::string s = v;
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) {
    s.insert(0, "'");
  }
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    return s;
  }
  std::string out = "\"";
  for (char c : s) {
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  }
  return out + "\"";
}

std::string decimal(double v) {
  char out[48];
  std::snprintf(out, sizeof out, "%.3f", v);
  return out;
}

json meanJson(const sdk::AnalyticsMean& m) {
  return {{"sum", m.sum}, {"count", m.count}, {"mean", m.count == 0 ? json(nullptr) : json(m.mean())}};
}

json satisfactionJson(const sdk::SatisfactionFigures& s) {
  return {{"sent", s.sent},
          {"answered", s.answered},
          {"score", meanJson(s.score)},
          {"distribution", s.distribution}};
}

json rangeJson(const sdk::AnalyticsRange& r) { return {{"from", r.from}, {"to", r.to}, {"time_zone", r.timeZone}}; }

http::Response csv(std::string body, const std::string& name) {
  auto r = http::Response::text(200, std::move(body), "text/csv; charset=utf-8");
  r.headers.emplace("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
  return r;
}

http::Response summary(Call& call) {
  auto q = readQuery(call);
  if (!q.ok()) {
    return invalid(q.error());
  }
  auto s = call.storage()->analyticsSummary(q->range);
  if (!s.ok()) {
    return s.error().code.rfind("analytics.", 0) == 0 ? invalid(s.error()) : errorResponse(s.error());
  }
  const auto& v = s.value();
  if (q->csv) {
    std::string out = "metric,value\n";
    auto row = [&](const std::string& k, const std::string& val) { out += k + "," + val + "\n"; };
    row("inbound_messages", std::to_string(v.inboundMessages));
    row("outbound_messages", std::to_string(v.outboundMessages));
    row("conversations", std::to_string(v.episodes));
    row("resolved", std::to_string(v.resolved));
    row("resolution_rate", decimal(v.resolutionRate()));
    row("first_response_ms", decimal(v.firstResponseMs.mean()));
    row("response_ms", decimal(v.responseMs.mean()));
    row("unanswered_turns", std::to_string(v.unansweredTurns));
    row("duration_ms", decimal(v.durationMs.mean()));
    row("surveys_sent", std::to_string(v.satisfaction.sent));
    row("surveys_answered", std::to_string(v.satisfaction.answered));
    row("satisfaction", decimal(v.satisfaction.score.mean()));
    return csv(std::move(out), "summary");
  }
  return http::Response::json(200, {{"range", rangeJson(q->range)},
                                    {"inbound_messages", v.inboundMessages},
                                    {"outbound_messages", v.outboundMessages},
                                    {"conversations", v.episodes},
                                    {"resolved", v.resolved},
                                    {"resolution_rate", v.resolutionRate()},
                                    {"first_response_ms", meanJson(v.firstResponseMs)},
                                    {"response_ms", meanJson(v.responseMs)},
                                    {"unanswered_turns", v.unansweredTurns},
                                    {"duration_ms", meanJson(v.durationMs)},
                                    {"satisfaction", satisfactionJson(v.satisfaction)}});
}

http::Response messages(Call& call) {
  auto q = readQuery(call);
  if (!q.ok()) {
    return invalid(q.error());
  }
  const auto bucketName = call.request.queryValue("bucket").value_or("hour");
  if (bucketName != "hour" && bucketName != "day") {
    return http::Response::error(400, "invalid", "query parameter \"bucket\" must be hour or day");
  }
  const auto bucket = bucketName == "hour" ? sdk::AnalyticsBucket::Hour : sdk::AnalyticsBucket::Day;
  auto buckets = call.storage()->messageVolume(q->range, bucket);
  if (!buckets.ok()) {
    return buckets.error().code.rfind("analytics.", 0) == 0 ? invalid(buckets.error()) : errorResponse(buckets.error());
  }
  if (q->csv) {
    std::string out = "bucket,start,inbound,outbound,automatic\n";
    for (const auto& b : buckets.value()) {
      out += b.label + "," + std::to_string(b.start) + "," + std::to_string(b.inbound) + "," +
             std::to_string(b.outbound) + "," + std::to_string(b.automatic) + "\n";
    }
    return csv(std::move(out), "messages");
  }
  json rows = json::array();
  for (const auto& b : buckets.value()) {
    rows.push_back({{"bucket", b.label},
                    {"start", b.start},
                    {"inbound", b.inbound},
                    {"outbound", b.outbound},
                    {"automatic", b.automatic}});
  }
  return http::Response::json(200, {{"range", rangeJson(q->range)}, {"bucket", bucketName}, {"buckets", rows}});
}

http::Response agents(Call& call) {
  auto q = readQuery(call);
  if (!q.ok()) {
    return invalid(q.error());
  }
  auto list = call.storage()->agentAnalytics(q->range);
  if (!list.ok()) {
    return list.error().code.rfind("analytics.", 0) == 0 ? invalid(list.error()) : errorResponse(list.error());
  }
  if (q->csv) {
    std::string out =
        "rank,agent,name,conversations,resolved,first_response_ms,response_ms,duration_ms,surveys_sent,"
        "surveys_answered,satisfaction\n";
    for (const auto& a : list.value()) {
      out += std::to_string(a.rank) + "," + field(a.agent) + "," + field(a.name) + "," + std::to_string(a.episodes) +
             "," + std::to_string(a.resolved) + "," + decimal(a.firstResponseMs.mean()) + "," +
             decimal(a.responseMs.mean()) + "," + decimal(a.durationMs.mean()) + "," +
             std::to_string(a.satisfaction.sent) + "," + std::to_string(a.satisfaction.answered) + "," +
             decimal(a.satisfaction.score.mean()) + "\n";
    }
    return csv(std::move(out), "agents");
  }
  json rows = json::array();
  for (const auto& a : list.value()) {
    rows.push_back({{"rank", a.rank},
                    {"agent", a.agent},
                    {"name", a.name},
                    {"conversations", a.episodes},
                    {"resolved", a.resolved},
                    {"first_response_ms", meanJson(a.firstResponseMs)},
                    {"response_ms", meanJson(a.responseMs)},
                    {"duration_ms", meanJson(a.durationMs)},
                    {"satisfaction", satisfactionJson(a.satisfaction)}});
  }
  return http::Response::json(200, {{"range", rangeJson(q->range)}, {"agents", rows}});
}

}  // namespace

void addAnalyticsRoutes(ApiRoutes& routes) {
  routes.add("GET", "/v1/analytics/summary", Access::Read, "", summary);
  routes.add("GET", "/v1/analytics/messages", Access::Read, "", messages);
  routes.add("GET", "/v1/analytics/agents", Access::Read, "", agents);
}

}  // namespace switchboard::admin
