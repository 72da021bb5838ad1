// The analytics queries on a fixture whose answers were worked out by hand (the arithmetic is in
// the comments), once on SQLite and once on a throwaway PostgreSQL: the same numbers on both.
// The range is two local days in Europe/Berlin around the spring change of clocks (03-29 has 23
// hours), and conversations run across local midnight.

#include <gtest/gtest.h>

#include <date/date.h>

#include "../storage/storage_fixture.hpp"

namespace sb = switchboard::sdk;
using switchboard::host::Store;
using switchboard::host::test::Backend;
using switchboard::host::test::StorageTest;

namespace {

constexpr std::int64_t kMinute = 60'000;

// 2026-03-<day> <h>:<m>:<s> UTC in ms.
std::int64_t utc(int day, int h, int m, int s = 0) {
  using namespace date;
  const auto d = sys_days{2026_y / March / static_cast<unsigned>(day)};
  return (std::chrono::duration_cast<std::chrono::milliseconds>(d.time_since_epoch()).count()) +
         ((h * 60LL + m) * 60LL + s) * 1000LL;
}

class AnalyticsFixture : public StorageTest {
 protected:
  void SetUp() override {
    StorageTest::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    store_ = open();
    ASSERT_NE(store_, nullptr);
    t_ = store_->tenant("default");
    for (const char* id : {"ana", "bo", "cy"}) {
      sb::Agent a;
      a.id = id;
      a.name = std::string("Agent ") + id;
      ASSERT_TRUE(t_->upsertAgent(a).ok());
    }
    build();
  }

  // A customer message (or one typed on our own phone); returns its message id.
  std::string in(const std::string& peer, std::int64_t ts, const std::string& text = "hello", bool fromMe = false) {
    auto w = switchboard::host::test::makeInbound("default", "15550001", peer, "n" + std::to_string(++seq_), text, ts);
    if (fromMe) {
      w.message.fromMe = true;
      w.message.sender = "15550001@s.whatsapp.net";
    }
    std::vector<switchboard::host::InboundWrite> batch{w};
    auto stored = store_->storeInbound(batch);
    EXPECT_TRUE(stored.ok()) << stored.error().describe();
    if (!stored.ok()) {
      return "";
    }
    conv_[peer] = stored.value()[0].conversation;
    return stored.value()[0].id;
  }

  // A message we send: a person's reply, or an automatic one.
  std::string out(const std::string& peer, std::int64_t ts, bool automatic = false) {
    sb::OutboundCommand c;
    c.commandId = "c" + std::to_string(++seq_);
    c.account = "15550001";
    c.kind = sb::CommandKind::SendText;
    c.to = peer;
    c.conversation = conv_.at(peer);
    c.text = automatic ? "auto" : "reply";
    c.automatic = automatic;
    c.createdAt = ts;
    auto stored = store_->storeCommand(c, "");
    EXPECT_TRUE(stored.ok()) << stored.error().describe();
    return c.commandId;
  }

  void close(const std::string& peer, const std::string& agent, std::int64_t at) {
    ASSERT_TRUE(t_->recordConversationClosed(conv_.at(peer), agent, at).ok());
    ASSERT_TRUE(t_->recordConversationClosed(conv_.at(peer), agent, at).ok()) << "recording twice keeps one";
  }

  void survey(const std::string& peer, const std::string& agent, std::int64_t at, std::optional<int> score,
              std::int64_t answerAt, const std::string& text) {
    const auto command = out(peer, at, true);
    ASSERT_TRUE(t_->recordSurveySent(conv_.at(peer), agent, command, at).ok());
    const auto message = in(peer, answerAt, text);
    auto settled = t_->settleSurvey(conv_.at(peer), {score, message, answerAt}, 24 * 60 * kMinute);
    ASSERT_TRUE(settled.ok()) << settled.error().describe();
    EXPECT_TRUE(settled.value());
    auto again = t_->settleSurvey(conv_.at(peer), {score, message, answerAt + 1}, 24 * 60 * kMinute);
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(again.value()) << "a settled survey takes no second answer";
  }

  void build() {
    const std::string A = "15557770001", B = "15557770002", C = "15557770003", D = "15557770004",
                      E = "15557770005";
    // D: its episode opened before the range (03-27 23:00 CET); the reply lands inside it but
    // the turn does not; a last customer message at 23:59 CEST on 03-29 stays unanswered.
    in(D, utc(27, 22, 0));
    out(D, utc(27, 23, 30));
    ASSERT_TRUE(t_->assignConversation(conv_.at(D), "bo").ok());
    // A, across local midnight 03-28/03-29 (CET): turn 1 from 23:50 to the reply at 00:10 (20
    // min; the automatic answer does not count), turn 2 00:20 -> 00:25 (5 min), closed at 00:40
    // by ana (50 min), survey answered 4.
    in(A, utc(28, 22, 50));
    in(A, utc(28, 22, 52));
    out(A, utc(28, 22, 53), true);
    out(A, utc(28, 23, 10));
    in(A, utc(28, 23, 20));
    out(A, utc(28, 23, 25));
    close(A, "ana", utc(28, 23, 40));
    survey(A, "ana", utc(28, 23, 40, 1), 4, utc(28, 23, 45), "4");
    // B, across the change of clocks: 01:30 CET -> reply 03:30 CEST is one hour; the next
    // customer message gets no reply. Open, assigned to bo.
    in(B, utc(29, 0, 30));
    ASSERT_TRUE(t_->assignConversation(conv_.at(B), "bo").ok());
    out(B, utc(29, 1, 30));
    in(B, utc(29, 1, 40));
    // C, two episodes. First: 10:00 -> 10:02 CEST (2 min), closed 10:10 by ana (10 min), the
    // survey answered with words, which are no score: they open the second episode at 10:11,
    // answered by a reply typed on our phone at 11:30 (79 min), closed 12:00 by cy (109 min),
    // survey answered 5.
    in(C, utc(29, 8, 0));
    out(C, utc(29, 8, 2));
    close(C, "ana", utc(29, 8, 10));
    survey(C, "ana", utc(29, 8, 10, 1), std::nullopt, utc(29, 8, 11), "great, thanks");
    in(C, utc(29, 9, 0));
    in(C, utc(29, 9, 30), "on it", true);
    close(C, "cy", utc(29, 10, 0));
    survey(C, "cy", utc(29, 10, 0, 1), 5, utc(29, 10, 5), "5");
    in(D, utc(29, 21, 59));
    // E: 00:00 CEST on 03-30, the first instant after the range.
    in(E, utc(29, 22, 0));
  }

  // [03-28 00:00 CET, 03-30 00:00 CEST)
  sb::AnalyticsRange range(const std::string& zone = "Europe/Berlin") const {
    return {utc(27, 23, 0), utc(29, 22, 0), zone};
  }

  std::shared_ptr<Store> store_;
  std::shared_ptr<sb::TenantStorage> t_;
  std::map<std::string, std::string> conv_;
  int seq_ = 0;
};

TEST_P(AnalyticsFixture, SummaryMatchesTheHandComputedFigures) {
  auto s = t_->analyticsSummary(range());
  ASSERT_TRUE(s.ok()) << s.error().describe();
  const auto& v = s.value();
  // Messages in the range: customer 2 (03-28) + 9 (03-29), ours 2 + 8.
  EXPECT_EQ(v.inboundMessages, 11);
  EXPECT_EQ(v.outboundMessages, 10);
  // Episodes opened in the range: A, B, C first, C second; D opened before it, E after it.
  EXPECT_EQ(v.episodes, 4);
  EXPECT_EQ(v.resolved, 3);
  EXPECT_DOUBLE_EQ(v.resolutionRate(), 0.75);
  // First responses: 20 + 60 + 2 + 79 minutes.
  EXPECT_EQ(v.firstResponseMs.count, 4);
  EXPECT_EQ(v.firstResponseMs.sum, 161 * kMinute);
  EXPECT_DOUBLE_EQ(v.firstResponseMs.mean(), 40.25 * kMinute);
  // Every answered turn: 20 + 5 + 60 + 2 + 79 minutes; unanswered: B's second, D's last.
  EXPECT_EQ(v.responseMs.count, 5);
  EXPECT_EQ(v.responseMs.sum, 166 * kMinute);
  EXPECT_EQ(v.unansweredTurns, 2);
  // Durations of the resolved: 50 + 10 + 109 minutes.
  EXPECT_EQ(v.durationMs.count, 3);
  EXPECT_EQ(v.durationMs.sum, 169 * kMinute);
  // Surveys: three sent, two scores (4 and 5), one answered with words.
  EXPECT_EQ(v.satisfaction.sent, 3);
  EXPECT_EQ(v.satisfaction.answered, 2);
  EXPECT_DOUBLE_EQ(v.satisfaction.score.mean(), 4.5);
  EXPECT_EQ(v.satisfaction.distribution, (std::array<std::int64_t, 5>{0, 0, 0, 1, 1}));
}

TEST_P(AnalyticsFixture, AgentsAndLeaderboard) {
  auto r = t_->agentAnalytics(range());
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& a = r.value();
  ASSERT_EQ(a.size(), 3u);
  // Ranked by resolved episodes: ana 2, cy 1, bo 0.
  EXPECT_EQ(a[0].agent, "ana");
  EXPECT_EQ(a[0].name, "Agent ana");
  EXPECT_EQ(a[0].rank, 1);
  EXPECT_EQ(a[0].episodes, 2);
  EXPECT_EQ(a[0].resolved, 2);
  EXPECT_EQ(a[0].firstResponseMs.sum, 22 * kMinute);       // 20 + 2
  EXPECT_EQ(a[0].responseMs.sum, 27 * kMinute);            // 20 + 5 + 2
  EXPECT_EQ(a[0].responseMs.count, 3);
  EXPECT_DOUBLE_EQ(a[0].responseMs.mean(), 9.0 * kMinute);
  EXPECT_EQ(a[0].durationMs.sum, 60 * kMinute);            // 50 + 10
  EXPECT_EQ(a[0].satisfaction.sent, 2);
  EXPECT_EQ(a[0].satisfaction.answered, 1);
  EXPECT_DOUBLE_EQ(a[0].satisfaction.score.mean(), 4.0);

  EXPECT_EQ(a[1].agent, "cy");
  EXPECT_EQ(a[1].rank, 2);
  EXPECT_EQ(a[1].episodes, 1);
  EXPECT_EQ(a[1].resolved, 1);
  EXPECT_EQ(a[1].firstResponseMs.sum, 79 * kMinute);
  EXPECT_EQ(a[1].responseMs.sum, 79 * kMinute);
  EXPECT_EQ(a[1].durationMs.sum, 109 * kMinute);
  EXPECT_DOUBLE_EQ(a[1].satisfaction.score.mean(), 5.0);

  EXPECT_EQ(a[2].agent, "bo");
  EXPECT_EQ(a[2].rank, 3);
  EXPECT_EQ(a[2].episodes, 1);
  EXPECT_EQ(a[2].resolved, 0);
  EXPECT_EQ(a[2].firstResponseMs.sum, 60 * kMinute);
  EXPECT_EQ(a[2].responseMs.count, 1);
  EXPECT_EQ(a[2].durationMs.count, 0);
  EXPECT_EQ(a[2].satisfaction.sent, 0);
}

TEST_P(AnalyticsFixture, MessagesPerLocalHourAcrossTheChangeOfClocks) {
  auto r = t_->messageVolume(range(), sb::AnalyticsBucket::Hour);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto& h = r.value();
  ASSERT_EQ(h.size(), 47u) << "24 hours on 03-28, 23 on 03-29 (02:00 does not exist)";
  EXPECT_EQ(h.front().label, "2026-03-28T00:00+01:00");
  EXPECT_EQ(h.front().start, utc(27, 23, 0));
  EXPECT_EQ(h.back().label, "2026-03-29T23:00+02:00");
  std::map<std::string, std::array<std::int64_t, 3>> nonEmpty;
  std::int64_t previousStart = 0;
  for (const auto& b : h) {
    EXPECT_EQ(b.start - previousStart, previousStart == 0 ? b.start : 60 * kMinute) << b.label;
    previousStart = b.start;
    if (b.inbound + b.outbound != 0) {
      nonEmpty[b.label] = {b.inbound, b.outbound, b.automatic};
    }
  }
  const std::map<std::string, std::array<std::int64_t, 3>> expected = {
      {"2026-03-28T00:00+01:00", {0, 1, 0}},  // D's reply
      {"2026-03-28T23:00+01:00", {2, 1, 1}},  // A: two messages, the automatic answer
      {"2026-03-29T00:00+01:00", {2, 3, 1}},  // A: reply, message, reply, survey, answer
      {"2026-03-29T01:00+01:00", {1, 0, 0}},  // B opens
      {"2026-03-29T03:00+02:00", {1, 1, 0}},  // B: reply, message
      {"2026-03-29T10:00+02:00", {2, 2, 1}},  // C: message, reply, survey, answer
      {"2026-03-29T11:00+02:00", {1, 1, 0}},  // C: message, reply from our phone
      {"2026-03-29T12:00+02:00", {1, 1, 1}},  // C: survey, answer
      {"2026-03-29T23:00+02:00", {1, 0, 0}},  // D's last message
  };
  EXPECT_EQ(nonEmpty, expected);
}

TEST_P(AnalyticsFixture, MessagesPerDayInTwoZones) {
  auto berlin = t_->messageVolume(range(), sb::AnalyticsBucket::Day);
  ASSERT_TRUE(berlin.ok()) << berlin.error().describe();
  ASSERT_EQ(berlin.value().size(), 2u);
  EXPECT_EQ(berlin.value()[0].label, "2026-03-28");
  EXPECT_EQ(berlin.value()[0].inbound, 2);
  EXPECT_EQ(berlin.value()[0].outbound, 2);
  EXPECT_EQ(berlin.value()[1].label, "2026-03-29");
  EXPECT_EQ(berlin.value()[1].start, utc(28, 23, 0));
  EXPECT_EQ(berlin.value()[1].inbound, 9);
  EXPECT_EQ(berlin.value()[1].outbound, 8);
  EXPECT_EQ(berlin.value()[1].automatic, 3);
  // The same instants read in UTC: 03-27 23:00 to 03-29 22:00 touches three UTC days, and A's
  // whole conversation falls on 03-28.
  auto u = t_->messageVolume(range("UTC"), sb::AnalyticsBucket::Day);
  ASSERT_TRUE(u.ok());
  ASSERT_EQ(u.value().size(), 3u);
  EXPECT_EQ(u.value()[0].label, "2026-03-27");
  EXPECT_EQ(u.value()[0].outbound, 1);
  EXPECT_EQ(u.value()[1].inbound, 4);
  EXPECT_EQ(u.value()[1].outbound, 4);
  EXPECT_EQ(u.value()[1].automatic, 2);
  EXPECT_EQ(u.value()[2].inbound, 7);
  EXPECT_EQ(u.value()[2].outbound, 5);
  // Half-hour zones label their hours with their offset.
  auto kolkata = t_->messageVolume({utc(28, 22, 30), utc(28, 23, 30), "Asia/Kolkata"}, sb::AnalyticsBucket::Hour);
  ASSERT_TRUE(kolkata.ok());
  ASSERT_EQ(kolkata.value().size(), 1u);
  EXPECT_EQ(kolkata.value()[0].label, "2026-03-29T04:00+05:30");
  EXPECT_EQ(kolkata.value()[0].inbound, 3);   // A at 22:50, 22:52, 23:20 UTC
  EXPECT_EQ(kolkata.value()[0].outbound, 3);  // 22:53, 23:10, 23:25
}

TEST_P(AnalyticsFixture, BadRangesAndZonesAreErrors) {
  auto zone = t_->analyticsSummary({utc(28, 0, 0), utc(29, 0, 0), "Mars/Olympus_Mons"});
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().code, "analytics.unknown_time_zone");
  auto reversed = t_->messageVolume({utc(29, 0, 0), utc(28, 0, 0), "UTC"}, sb::AnalyticsBucket::Hour);
  ASSERT_FALSE(reversed.ok());
  EXPECT_EQ(reversed.error().code, "analytics.invalid_range");
  auto tooLong = t_->agentAnalytics({0, 400LL * 86'400'000, "UTC"});
  ASSERT_FALSE(tooLong.ok());
  EXPECT_EQ(tooLong.error().code, "analytics.invalid_range");
  auto badScore = t_->settleSurvey("x", {7, "m", utc(28, 0, 0)}, kMinute);
  ASSERT_FALSE(badScore.ok());
  EXPECT_EQ(badScore.error().code, "analytics.invalid_score");
  // A range with nothing in it is all zeros, not an error.
  auto empty = t_->analyticsSummary({utc(1, 0, 0), utc(2, 0, 0), "UTC"});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty.value().episodes, 0);
  EXPECT_EQ(empty.value().inboundMessages, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, AnalyticsFixture, ::testing::Values(Backend::Sqlite, Backend::Postgres),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return p.param == Backend::Sqlite ? std::string("Sqlite") : std::string("Postgres");
                         });

}  // namespace
