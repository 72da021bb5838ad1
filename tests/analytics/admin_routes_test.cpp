// The analytics routes of the admin API over HTTP against a real SQLite store: the figures as
// JSON and as CSV (fields quoted, formulas defused), date ranges as local dates in a time zone,
// the read-only role is enough, and bad parameters are 400s that say which.

#include <gtest/gtest.h>

#include "admin_test_support.hpp"

using namespace admintest;

namespace {

constexpr std::int64_t kMinute = 60'000;
// 2026-03-28 12:00 UTC (13:00 in Berlin).
constexpr std::int64_t kNoon = 1'774'699'200'000;

class AnalyticsRoutes : public ::testing::Test {
 protected:
  void SetUp() override {
    h = std::make_unique<AdminHarness>();
    ro = h->token("viewer", "read-only");
    auto tenant = h->store->tenant("default");
    sb::Agent a;
    a.id = "a1";
    a.name = "=HYPERLINK(\"x\"), Jr.";
    ASSERT_TRUE(tenant->upsertAgent(a).ok());
    h->receive("15550000001", "15557770001", "hello", "default", kNoon);
    auto list = tenant->listConversations({});
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 1u);
    conv = list->front().id;
    ASSERT_TRUE(tenant->assignConversation(conv, "a1").ok());
    sb::OutboundCommand reply;
    reply.commandId = "r1";
    reply.account = "15550000001";
    reply.to = "15557770001";
    reply.conversation = conv;
    reply.text = "hi";
    reply.createdAt = kNoon + 4 * kMinute;
    ASSERT_TRUE(h->store->storeCommand(reply, "").ok());
    ASSERT_TRUE(tenant->recordConversationClosed(conv, "a1", kNoon + 10 * kMinute).ok());
  }
  void TearDown() override { h.reset(); }

  std::unique_ptr<AdminHarness> h;
  std::string ro, conv;
};

}  // namespace

TEST_F(AnalyticsRoutes, SummaryAsJsonAndCsv) {
  auto r = h->call("GET", "/v1/analytics/summary?from=2026-03-28&to=2026-03-29&tz=Europe/Berlin", ro);
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto j = r.j();
  EXPECT_EQ(j["range"]["time_zone"], "Europe/Berlin");
  EXPECT_EQ(j["range"]["from"], kNoon - 13 * 60 * kMinute) << "local midnight, CET";
  EXPECT_EQ(j["conversations"], 1);
  EXPECT_EQ(j["resolved"], 1);
  EXPECT_EQ(j["first_response_ms"]["sum"], 4 * kMinute);
  EXPECT_EQ(j["duration_ms"]["mean"], 10.0 * kMinute);
  EXPECT_EQ(j["inbound_messages"], 1);
  EXPECT_EQ(j["outbound_messages"], 1);
  EXPECT_TRUE(j["satisfaction"]["score"]["mean"].is_null()) << "no answers: no mean";

  auto csv = h->call("GET", "/v1/analytics/summary?from=2026-03-28&to=2026-03-29&tz=Europe/Berlin&format=csv", ro);
  ASSERT_EQ(csv.status, 200u);
  EXPECT_EQ(csv.headers["Content-Type"].rfind("text/csv", 0), 0u);
  EXPECT_EQ(csv.body.rfind("metric,value\n", 0), 0u);
  EXPECT_NE(csv.body.find("\nresolution_rate,1.000\n"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find("\nfirst_response_ms,240000.000\n"), std::string::npos) << csv.body;

  // The day before holds nothing.
  auto before = h->call("GET", "/v1/analytics/summary?from=2026-03-27&to=2026-03-28&tz=Europe/Berlin", ro);
  ASSERT_EQ(before.status, 200u);
  EXPECT_EQ(before.j()["conversations"], 0);
}

TEST_F(AnalyticsRoutes, MessagesAndAgents) {
  auto days = h->call("GET", "/v1/analytics/messages?from=2026-03-28&to=2026-03-30&tz=Europe/Berlin&bucket=day", ro);
  ASSERT_EQ(days.status, 200u) << days.body;
  ASSERT_EQ(days.j()["buckets"].size(), 2u);
  EXPECT_EQ(days.j()["buckets"][0]["bucket"], "2026-03-28");
  EXPECT_EQ(days.j()["buckets"][0]["inbound"], 1);
  EXPECT_EQ(days.j()["buckets"][1]["bucket"], "2026-03-29");
  auto hours = h->call("GET", "/v1/analytics/messages?from=2026-03-29&to=2026-03-30&tz=Europe/Berlin&format=csv", ro);
  ASSERT_EQ(hours.status, 200u);
  EXPECT_NE(hours.body.find("\n2026-03-29T03:00+02:00,"), std::string::npos) << hours.body;
  EXPECT_EQ(hours.body.find("T02:00"), std::string::npos) << "02:00 did not happen that night";

  auto agents = h->call("GET", "/v1/analytics/agents?from=2026-03-28&to=2026-03-29&tz=UTC", ro);
  ASSERT_EQ(agents.status, 200u) << agents.body;
  ASSERT_EQ(agents.j()["agents"].size(), 1u);
  EXPECT_EQ(agents.j()["agents"][0]["rank"], 1);
  EXPECT_EQ(agents.j()["agents"][0]["resolved"], 1);
  auto csv = h->call("GET", "/v1/analytics/agents?from=2026-03-28&to=2026-03-29&format=csv", ro);
  ASSERT_EQ(csv.status, 200u);
  EXPECT_NE(csv.body.find("\n1,a1,\"'=HYPERLINK(\"\"x\"\"), Jr.\",1,1,"), std::string::npos) << csv.body;
}

TEST_F(AnalyticsRoutes, BadParametersAreRefused) {
  auto zone = h->call("GET", "/v1/analytics/summary?tz=Mars/Base", ro);
  EXPECT_EQ(zone.status, 400u);
  EXPECT_EQ(zone.code(), "analytics.unknown_time_zone");
  auto from = h->call("GET", "/v1/analytics/summary?from=yesterday", ro);
  EXPECT_EQ(from.status, 400u);
  EXPECT_EQ(from.code(), "analytics.invalid_time");
  auto reversed = h->call("GET", "/v1/analytics/agents?from=2026-03-29&to=2026-03-28", ro);
  EXPECT_EQ(reversed.status, 400u);
  EXPECT_EQ(reversed.code(), "analytics.invalid_range");
  auto bucket = h->call("GET", "/v1/analytics/messages?bucket=week", ro);
  EXPECT_EQ(bucket.status, 400u);
  auto format = h->call("GET", "/v1/analytics/summary?format=xml", ro);
  EXPECT_EQ(format.status, 400u);
  auto anonymous = h->call("GET", "/v1/analytics/summary", "");
  EXPECT_EQ(anonymous.status, 401u);
}
