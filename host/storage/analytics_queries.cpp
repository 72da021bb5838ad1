// What analytics asks of storage (SDK 1.3): closes and satisfaction surveys recorded as they
// happen, and the figures computed in SQL over a range read in a time zone. The definitions are
// in sdk/analytics.hpp; the SQL below is the one place that implements them, on SQLite and
// PostgreSQL alike (window functions, integer arithmetic, no dialect branches).

#include <algorithm>
#include <map>
#include <tuple>

#include "storage/analytics_zone.hpp"
#include "storage/tenant_storage.hpp"

namespace switchboard::host::storage {

namespace {

std::string num(std::int64_t v) { return std::to_string(v); }

sdk::Status statusOf(sdk::Result<bool> r) {
  SB_TRY(r);
  return sdk::okStatus();
}

// The messages of the conversations active since `from` (classified) and their closes, in one
// stream per conversation ordered by time, a close before a message of the same millisecond. A
// running count of closes gives each row its episode: a message's is the number of closes at or
// before it; a close belongs to the episode it ends. Each row then learns when its episode was
// closed and by whom. Survey scores are no customer messages (the survey itself is automatic).
// Base tables meet only through primary keys and indexes, and the rest is window functions: no
// correlated subqueries (PostgreSQL runs those once per row) and no joins between derived tables
// (SQLite's planner scanned one once per row of the other). On SQLite, CROSS JOIN keeps the
// messages as the outer loop, so conversations are looked up by key.
std::string streamRows(std::int64_t from, Dialect dialect) {
  const std::string join = dialect == Dialect::Sqlite ? " CROSS JOIN " : " JOIN ";
  return "ev AS (SELECT m.conversation_id AS conv, m.ts, m.seq, 1 AS ord,"
         " CASE WHEN m.direction = 'in' AND m.from_me = 0 AND s.command_id IS NULL THEN 1 ELSE 0 END AS cust,"
         " CASE WHEN (m.direction = 'out' AND m.automatic = 0) OR (m.direction = 'in' AND m.from_me <> 0)"
         " THEN 1 ELSE 0 END AS human, 0 AS cl, '' AS agent, c.assignee AS asg FROM messages m" +
         join +
         "conversations c ON c.tenant = m.tenant AND c.id = m.conversation_id"
         " LEFT JOIN analytics_surveys s ON s.tenant = m.tenant AND s.answer_message = m.id"
         " WHERE m.tenant = :tenant AND c.last_message_at >= " +
         num(from) +
         " UNION ALL SELECT k.conversation_id, k.closed_at, 0, 0, 0, 0, 1, k.agent, c.assignee"
         " FROM analytics_closures k" +
         join +
         "conversations c ON c.tenant = k.tenant AND c.id = k.conversation_id"
         " WHERE k.tenant = :again AND c.last_message_at >= " +
         num(from) +
         "),"
         " ee AS (SELECT ev.*, SUM(ev.cl) OVER (PARTITION BY ev.conv ORDER BY ev.ts, ev.ord, ev.seq"
         " ROWS UNBOUNDED PRECEDING) - ev.cl AS ep FROM ev),"
         " ef AS (SELECT ee.*, MAX(CASE WHEN ee.cl = 1 THEN ee.ts END) OVER (PARTITION BY ee.conv, ee.ep) AS closed_at,"
         " MAX(CASE WHEN ee.cl = 1 THEN ee.agent END) OVER (PARTITION BY ee.conv, ee.ep) AS closer FROM ee),"
         " mm AS (SELECT ef.* FROM ef WHERE ef.cl = 0)";
}

// Customer turns: within an episode, the rows after the hb-th human reply up to and including the
// next one; `started` is the turn's first customer message, `answered` the reply that ends it.
// `rn` = 1 marks an episode's first turn. Then the turns started in the range, each with the close
// that ended its episode and the agent it is credited to (the closer, else the assignee).
std::string turnRows(std::int64_t from, std::int64_t to) {
  return "hh AS (SELECT mm.*, COALESCE(SUM(mm.human) OVER (PARTITION BY mm.conv, mm.ep ORDER BY mm.ts, mm.seq"
         " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS hb FROM mm),"
         " tt AS (SELECT hh.conv, hh.ep, hh.hb, MIN(CASE WHEN hh.cust = 1 THEN hh.ts END) AS started,"
         " MIN(CASE WHEN hh.human = 1 THEN hh.ts END) AS answered, MIN(hh.closed_at) AS closed_at,"
         " MIN(hh.closer) AS closer, MIN(hh.asg) AS asg FROM hh GROUP BY hh.conv, hh.ep, hh.hb),"
         " tn AS (SELECT tt.*, ROW_NUMBER() OVER (PARTITION BY tt.conv, tt.ep ORDER BY tt.hb) AS rn FROM tt"
         " WHERE tt.started IS NOT NULL),"
         " ta AS (SELECT tn.rn, tn.started, tn.answered, tn.closed_at,"
         " CASE WHEN tn.closed_at IS NOT NULL THEN COALESCE(tn.closer, '') ELSE COALESCE(tn.asg, '') END AS agent"
         " FROM tn WHERE tn.started >= " +
         num(from) + " AND tn.started < " + num(to) + ")";
}

struct TurnFigures {
  std::int64_t episodes = 0, resolved = 0, unanswered = 0;
  sdk::AnalyticsMean first, response, duration;
};

std::map<std::string, TurnFigures> turnFigures(TenantScope& s, const sdk::AnalyticsRange& range) {
  const std::string sql =
      "WITH " + streamRows(range.from, s.dialect()) + ", " + turnRows(range.from, range.to) +
      " SELECT ta.agent,"
      " CAST(SUM(CASE WHEN ta.rn = 1 THEN 1 ELSE 0 END) AS BIGINT),"
      " CAST(SUM(CASE WHEN ta.rn = 1 AND ta.closed_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT),"
      " CAST(SUM(CASE WHEN ta.rn = 1 AND ta.answered IS NOT NULL THEN ta.answered - ta.started ELSE 0 END) AS BIGINT),"
      " CAST(SUM(CASE WHEN ta.rn = 1 AND ta.answered IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT),"
      " CAST(SUM(CASE WHEN ta.answered IS NOT NULL THEN ta.answered - ta.started ELSE 0 END) AS BIGINT),"
      " CAST(SUM(CASE WHEN ta.answered IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT),"
      " CAST(SUM(CASE WHEN ta.answered IS NULL THEN 1 ELSE 0 END) AS BIGINT),"
      " CAST(SUM(CASE WHEN ta.rn = 1 AND ta.closed_at IS NOT NULL THEN ta.closed_at - ta.started ELSE 0 END)"
      " AS BIGINT)"
      " FROM ta GROUP BY ta.agent";
  std::map<std::string, TurnFigures> out;
  std::string agent;
  long long v[8] = {};
  // The closes' half of the stream filters on the tenant too: bound to the scope's own tenant
  // (TenantScope binds :tenant once; this second binding is the same value, never the caller's).
  const std::string again = s.tenant();
  soci::statement st = s.prepare(sql, soci::use(again), soci::into(agent), soci::into(v[0]), soci::into(v[1]),
                                 soci::into(v[2]), soci::into(v[3]), soci::into(v[4]), soci::into(v[5]),
                                 soci::into(v[6]), soci::into(v[7]));
  if (st.execute(true)) {
    do {
      auto& f = out[agent];
      f.episodes = v[0];
      f.resolved = v[1];
      f.first = {v[2], v[3]};
      f.response = {v[4], v[5]};
      f.unanswered = v[6];
      f.duration = {v[7], v[1]};
    } while (st.fetch());
  }
  return out;
}

std::map<std::string, sdk::SatisfactionFigures> surveyFigures(TenantScope& s, const sdk::AnalyticsRange& range) {
  const std::string sql =
      "SELECT agent, CAST(COUNT(*) AS BIGINT), CAST(SUM(CASE WHEN score > 0 THEN 1 ELSE 0 END) AS BIGINT),"
      " CAST(SUM(score) AS BIGINT), CAST(SUM(CASE WHEN score = 1 THEN 1 ELSE 0 END) AS BIGINT),"
      " CAST(SUM(CASE WHEN score = 2 THEN 1 ELSE 0 END) AS BIGINT),"
      " CAST(SUM(CASE WHEN score = 3 THEN 1 ELSE 0 END) AS BIGINT),"
      " CAST(SUM(CASE WHEN score = 4 THEN 1 ELSE 0 END) AS BIGINT),"
      " CAST(SUM(CASE WHEN score = 5 THEN 1 ELSE 0 END) AS BIGINT)"
      " FROM analytics_surveys WHERE tenant = :tenant AND sent_at >= " +
      num(range.from) + " AND sent_at < " + num(range.to) + " GROUP BY agent";
  std::map<std::string, sdk::SatisfactionFigures> out;
  std::string agent;
  long long v[8] = {};
  soci::statement st = s.prepare(sql, soci::into(agent), soci::into(v[0]), soci::into(v[1]), soci::into(v[2]),
                                 soci::into(v[3]), soci::into(v[4]), soci::into(v[5]), soci::into(v[6]),
                                 soci::into(v[7]));
  if (st.execute(true)) {
    do {
      auto& f = out[agent];
      f.sent = v[0];
      f.answered = v[1];
      f.score = {v[2], v[1]};
      for (int i = 0; i < 5; ++i) {
        f.distribution[static_cast<std::size_t>(i)] = v[3 + i];
      }
    } while (st.fetch());
  }
  return out;
}

void addSatisfaction(sdk::SatisfactionFigures& into, const sdk::SatisfactionFigures& f) {
  into.sent += f.sent;
  into.answered += f.answered;
  into.score.sum += f.score.sum;
  into.score.count += f.score.count;
  for (std::size_t i = 0; i < 5; ++i) {
    into.distribution[i] += f.distribution[i];
  }
}

void addMean(sdk::AnalyticsMean& into, const sdk::AnalyticsMean& m) {
  into.sum += m.sum;
  into.count += m.count;
}

// Leaderboard order: most resolved, then the better mean score (agents without answers after
// those with), then the faster mean response (without samples last), then the id.
bool ranksBefore(const sdk::AgentAnalytics& a, const sdk::AgentAnalytics& b) {
  auto key = [](const sdk::AgentAnalytics& x) {
    const bool scored = x.satisfaction.score.count > 0;
    const bool timed = x.responseMs.count > 0;
    // The score compared as a cross-multiplied fraction would be exact; the mean of at most a few
    // million integers 1..5 is exact enough in a double for ordering.
    return std::make_tuple(-x.resolved, scored ? 0 : 1, -x.satisfaction.score.mean(), timed ? 0 : 1,
                           x.responseMs.mean());
  };
  const auto ka = key(a), kb = key(b);
  if (ka != kb) {
    return ka < kb;
  }
  return a.agent < b.agent;
}

}  // namespace

sdk::Status SqlTenantStorage::recordConversationClosed(const sdk::ConversationId& id, const sdk::AgentId& agent,
                                                       sdk::TimestampMs at) {
  return statusOf(scoped<bool>(false, [&](TenantScope& s) -> sdk::Result<bool> {
           long long when = at;
           s.exec("INSERT INTO analytics_closures (tenant, conversation_id, closed_at, agent) VALUES (:tenant, :c,"
                  " :at, :a) ON CONFLICT (tenant, conversation_id, closed_at) DO NOTHING",
                  soci::use(id), soci::use(when), soci::use(agent));
           return true;
         }));
}

sdk::Status SqlTenantStorage::recordSurveySent(const sdk::ConversationId& id, const sdk::AgentId& agent,
                                               const sdk::CommandId& command, sdk::TimestampMs at) {
  return statusOf(scoped<bool>(false, [&](TenantScope& s) -> sdk::Result<bool> {
           long long when = at;
           s.exec("INSERT INTO analytics_surveys (tenant, command_id, conversation_id, agent, sent_at) VALUES"
                  " (:tenant, :cmd, :c, :a, :at) ON CONFLICT (tenant, command_id) DO NOTHING",
                  soci::use(command), soci::use(id), soci::use(agent), soci::use(when));
           return true;
         }));
}

sdk::Result<bool> SqlTenantStorage::settleSurvey(const sdk::ConversationId& id, const sdk::SurveyAnswer& answer,
                                                 sdk::TimestampMs maxAgeMs) {
  if (answer.score && (*answer.score < 1 || *answer.score > 5)) {
    return sdk::Error::permanent("analytics.invalid_score",
                                 "survey score " + std::to_string(*answer.score) + " is not between 1 and 5");
  }
  return scoped<bool>(true, [&](TenantScope& s) -> sdk::Result<bool> {
    const long long oldest = answer.at - maxAgeMs, at = answer.at;
    std::string command;
    if (!s.queryOne("SELECT command_id FROM analytics_surveys WHERE tenant = :tenant AND conversation_id = :c"
                    " AND answered_at = 0 AND sent_at >= :o AND sent_at <= :a ORDER BY sent_at DESC, command_id"
                    " LIMIT 1",
                    soci::use(id), soci::use(oldest), soci::use(at), soci::into(command))) {
      return false;
    }
    const int score = answer.score.value_or(0);
    // Only a score is taken out of the conversation; a message that was no score ("one more
    // question") stays a customer message and may open the next episode.
    const std::string message = answer.score ? answer.message : std::string();
    // Claimed only while still open: two daemons seeing the same answer settle it once.
    return s.exec("UPDATE analytics_surveys SET score = :s, answer_message = :m, answered_at = :a WHERE tenant ="
                  " :tenant AND command_id = :cmd AND answered_at = 0",
                  soci::use(score), soci::use(message), soci::use(at), soci::use(command)) == 1;
  });
}

sdk::Result<std::vector<sdk::MessageVolumeBucket>> SqlTenantStorage::messageVolume(const sdk::AnalyticsRange& range,
                                                                                   sdk::AnalyticsBucket bucket) {
  auto spans = offsetSpans(range);
  SB_TRY(spans);
  using Out = std::vector<sdk::MessageVolumeBucket>;
  return scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    const bool hours = bucket == sdk::AnalyticsBucket::Hour;
    const std::string length = num(hours ? kHourMs : kDayMs);
    const std::string offset = offsetSql(spans.value(), "m.ts");
    const std::string sql =
        "SELECT x.b, x.o, CAST(SUM(x.cin) AS BIGINT), CAST(SUM(x.cout) AS BIGINT), CAST(SUM(x.aut) AS BIGINT)"
        " FROM (SELECT (m.ts + " +
        offset + ") / " + length + " AS b, " + (hours ? offset : std::string("0")) +
        " AS o, CASE WHEN m.direction = 'in' AND m.from_me = 0 THEN 1 ELSE 0 END AS cin,"
        " CASE WHEN m.direction = 'out' OR m.from_me <> 0 THEN 1 ELSE 0 END AS cout,"
        " CASE WHEN m.direction = 'out' AND m.automatic <> 0 THEN 1 ELSE 0 END AS aut"
        " FROM messages m WHERE m.tenant = :tenant AND m.ts >= " +
        num(range.from) + " AND m.ts < " + num(range.to) + ") x GROUP BY x.b, x.o";
    std::map<std::pair<long long, long long>, std::array<long long, 3>> counts;
    long long b = 0, o = 0, in = 0, out = 0, automatic = 0;
    soci::statement st = s.prepare(sql, soci::into(b), soci::into(o), soci::into(in), soci::into(out),
                                   soci::into(automatic));
    if (st.execute(true)) {
      do {
        counts[{b, o}] = {in, out, automatic};
      } while (st.fetch());
    }
    Out result;
    for (const auto& lb : localBuckets(range, spans.value(), bucket)) {
      sdk::MessageVolumeBucket v;
      v.label = lb.label;
      v.start = lb.start;
      if (auto it = counts.find({lb.index, lb.offsetMs}); it != counts.end()) {
        v.inbound = it->second[0];
        v.outbound = it->second[1];
        v.automatic = it->second[2];
      }
      result.push_back(std::move(v));
    }
    return result;
  });
}

sdk::Result<std::vector<sdk::AgentAnalytics>> SqlTenantStorage::agentAnalytics(const sdk::AnalyticsRange& range) {
  SB_TRY(offsetSpans(range));  // the same range checks as every analytics query
  using Out = std::vector<sdk::AgentAnalytics>;
  auto figures = scoped<Out>(false, [&](TenantScope& s) -> sdk::Result<Out> {
    const auto turns = turnFigures(s, range);
    const auto surveys = surveyFigures(s, range);
    std::map<std::string, sdk::AgentAnalytics> byAgent;
    for (const auto& [agent, f] : turns) {
      auto& a = byAgent[agent];
      a.episodes = f.episodes;
      a.resolved = f.resolved;
      a.firstResponseMs = f.first;
      a.responseMs = f.response;
      a.durationMs = f.duration;
    }
    for (const auto& [agent, f] : surveys) {
      byAgent[agent].satisfaction = f;
    }
    Out out;
    for (auto& [agent, a] : byAgent) {
      if (!agent.empty()) {  // unassigned work counts in the summary, not on the leaderboard
        a.agent = agent;
        out.push_back(std::move(a));
      }
    }
    std::sort(out.begin(), out.end(), ranksBefore);
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i].rank = static_cast<int>(i + 1);
    }
    return out;
  });
  SB_TRY(figures);
  if (auto agents = listAgents(); agents.ok()) {
    for (auto& a : figures.value()) {
      for (const auto& known : agents.value()) {
        if (known.id == a.agent) {
          a.name = known.name;
        }
      }
    }
  }
  return figures;
}

sdk::Result<sdk::AnalyticsSummary> SqlTenantStorage::analyticsSummary(const sdk::AnalyticsRange& range) {
  auto days = messageVolume(range, sdk::AnalyticsBucket::Day);
  SB_TRY(days);
  auto summary = scoped<sdk::AnalyticsSummary>(false, [&](TenantScope& s) -> sdk::Result<sdk::AnalyticsSummary> {
    sdk::AnalyticsSummary out;
    for (const auto& [agent, f] : turnFigures(s, range)) {
      out.episodes += f.episodes;
      out.resolved += f.resolved;
      out.unansweredTurns += f.unanswered;
      addMean(out.firstResponseMs, f.first);
      addMean(out.responseMs, f.response);
      addMean(out.durationMs, f.duration);
    }
    for (const auto& [agent, f] : surveyFigures(s, range)) {
      addSatisfaction(out.satisfaction, f);
    }
    return out;
  });
  SB_TRY(summary);
  for (const auto& d : days.value()) {
    summary.value().inboundMessages += d.inbound;
    summary.value().outboundMessages += d.outbound;
  }
  return summary;
}

}  // namespace switchboard::host::storage
