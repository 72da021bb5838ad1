// Working hours at their edges: shifts past midnight in a zone far from UTC, everybody off shift
// across a midnight in another zone, DST changes (minutes left are real minutes), holidays in
// each agent's own calendar, unknown zones.

#include <gtest/gtest.h>

#include "routing_fixtures.hpp"
#include "shift_calendar.hpp"

using namespace switchboard::routing;
using namespace switchboard::routing::test;
namespace sb = switchboard::sdk;

namespace {

constexpr int kSun = 0, kMon = 1, kTue = 2, kWed = 3;

std::vector<sb::Shift> everyDay(int start, int end) {
  std::vector<sb::Shift> out;
  for (int d = 0; d < 7; ++d) {
    out.push_back({d, start, end});
  }
  return out;
}

ShiftStatus at(const ShiftCalendar& cal, const sb::Agent& a, const std::string& when) {
  return cal.status(a, utc(when), "", {});
}

}  // namespace

TEST(RoutingShiftCalendar, NightShiftPastLocalMidnightWhileUtcStaysOnOneDay) {
  ShiftCalendar cal("UTC", {}, {});
  // Tokyo (UTC+9): Monday 22:00 to Tuesday 06:00 local, i.e. Monday 13:00 to 21:00 UTC.
  const auto tokyo = agent({.id = "t", .timeZone = "Asia/Tokyo", .hours = {{kMon, 22 * 60, 6 * 60}}});
  EXPECT_FALSE(at(cal, tokyo, "2024-01-08T12:59Z").onShift);
  auto s = at(cal, tokyo, "2024-01-08T13:30Z");
  EXPECT_TRUE(s.onShift);
  EXPECT_EQ(s.minutesLeft, 450);
  s = at(cal, tokyo, "2024-01-08T20:59Z");  // Tuesday 05:59 in Tokyo
  EXPECT_TRUE(s.onShift);
  EXPECT_EQ(s.minutesLeft, 1);
  EXPECT_FALSE(at(cal, tokyo, "2024-01-08T21:00Z").onShift);
  // The same wall-clock hours on Tuesday night are not a Monday shift.
  EXPECT_FALSE(at(cal, tokyo, "2024-01-09T13:30Z").onShift);
}

TEST(RoutingShiftCalendar, EverybodyOffShiftAcrossMidnightInAnotherZoneQueues) {
  // Los Angeles agents: Monday 09:00-17:00, and a night crew Tuesday 00:00-08:00.
  const std::vector<sb::Agent> agents{
      agent({.id = "day", .timeZone = "America/Los_Angeles", .hours = {{kMon, 9 * 60, 17 * 60}}}),
      agent({.id = "night", .timeZone = "America/Los_Angeles", .hours = {{kTue, 0, 8 * 60}}}),
  };
  RoutingKnowledge k;
  RoutingEngine e(config("default: {chain: [{strategy: round_robin}]}"), k);
  // Monday 23:59 in Los Angeles is already Tuesday 07:59 UTC: nobody works.
  auto o = e.route(request("", agents), utc("2024-01-09T07:59Z"));
  EXPECT_FALSE(o.agent);
  EXPECT_NE(o.reason.find("2 off shift"), std::string::npos) << o.reason;
  // One minute later it is Tuesday midnight there: the night crew starts.
  o = e.route(request("", agents), utc("2024-01-09T08:00Z"));
  ASSERT_TRUE(o.agent);
  EXPECT_EQ(*o.agent, "night");
  // The shift strategy as a narrowing step queues rather than skips when nobody is on shift.
  RoutingEngine s(config("default: {respect_shifts: false, chain: [{strategy: shift}, {strategy: least_busy}]}"), k);
  o = s.route(request("", agents), utc("2024-01-09T07:59Z"));
  EXPECT_FALSE(o.agent);
  EXPECT_NE(o.reason.find("shift: 0 on shift"), std::string::npos) << o.reason;
}

TEST(RoutingShiftCalendar, SpringForwardShortensTheShiftByAnHour) {
  ShiftCalendar cal("UTC", {}, {});
  // New York, Sunday 2024-03-10: 02:00 EST becomes 03:00 EDT. Shift 00:00-04:00 lasts 3 real hours.
  const auto ny = agent({.id = "n", .timeZone = "America/New_York", .hours = {{kSun, 0, 4 * 60}}});
  auto s = at(cal, ny, "2024-03-10T06:30Z");  // 01:30 EST
  EXPECT_TRUE(s.onShift);
  EXPECT_EQ(s.minutesLeft, 90);
  s = at(cal, ny, "2024-03-10T07:30Z");  // 03:30 EDT
  EXPECT_TRUE(s.onShift);
  EXPECT_EQ(s.minutesLeft, 30);
  EXPECT_FALSE(at(cal, ny, "2024-03-10T08:00Z").onShift);  // 04:00 EDT
}

TEST(RoutingShiftCalendar, FallBackLengthensTheShiftByAnHour) {
  ShiftCalendar cal("UTC", {}, {});
  // New York, Sunday 2024-11-03: 02:00 EDT becomes 01:00 EST. Shift 00:00-03:00 lasts 4 real hours.
  const auto ny = agent({.id = "n", .timeZone = "America/New_York", .hours = {{kSun, 0, 3 * 60}}});
  auto s = at(cal, ny, "2024-11-03T04:30Z");  // 00:30 EDT
  EXPECT_TRUE(s.onShift);
  EXPECT_EQ(s.minutesLeft, 210);
  EXPECT_TRUE(at(cal, ny, "2024-11-03T07:59Z").onShift);  // 02:59 EST
  EXPECT_FALSE(at(cal, ny, "2024-11-03T08:00Z").onShift);
}

TEST(RoutingShiftCalendar, HolidaysFollowEachAgentsOwnDate) {
  auto holidays = std::set<Day>{*parseDay("2024-12-25")};
  ShiftCalendar cal("UTC", holidays, {});
  const auto berlin = agent({.id = "b", .timeZone = "Europe/Berlin", .hours = everyDay(0, 24 * 60)});
  const auto auckland = agent({.id = "a", .timeZone = "Pacific/Auckland", .hours = everyDay(0, 24 * 60)});
  // 2024-12-24 12:00 UTC: still the 24th in Berlin, already the 25th in Auckland.
  EXPECT_TRUE(at(cal, berlin, "2024-12-24T12:00Z").onShift);
  EXPECT_FALSE(at(cal, auckland, "2024-12-24T12:00Z").onShift);
  EXPECT_FALSE(at(cal, berlin, "2024-12-25T12:00Z").onShift);
  EXPECT_TRUE(at(cal, auckland, "2024-12-25T12:00Z").onShift);  // the 26th there
}

TEST(RoutingShiftCalendar, ANightShiftBegunOnTheEveEndsNormallyOnTheHoliday) {
  ShiftCalendar cal("UTC", {*parseDay("2024-12-25")}, {});
  const auto nights = agent({.id = "n", .timeZone = "Europe/Berlin",
                             .hours = {{kTue, 22 * 60, 6 * 60}, {kWed, 9 * 60, 17 * 60}}});
  EXPECT_TRUE(at(cal, nights, "2024-12-25T02:00Z").onShift);   // 03:00 on the 25th, shift from the 24th
  EXPECT_FALSE(at(cal, nights, "2024-12-25T10:00Z").onShift);  // the day shift of the 25th is cancelled
}

TEST(RoutingShiftCalendar, AgentAndPolicyHolidays) {
  ShiftCalendar cal("UTC", {}, {{"ana", {*parseDay("2024-07-04")}}});
  const auto ana = agent({.id = "ana", .timeZone = "America/Chicago", .hours = everyDay(0, 24 * 60)});
  const auto bo = agent({.id = "bo", .timeZone = "America/Chicago", .hours = everyDay(0, 24 * 60)});
  EXPECT_FALSE(at(cal, ana, "2024-07-04T18:00Z").onShift);
  EXPECT_TRUE(at(cal, bo, "2024-07-04T18:00Z").onShift);
  EXPECT_FALSE(cal.status(bo, utc("2024-07-04T18:00Z"), "", {*parseDay("2024-07-04")}).onShift);
  // No hours at all: always on, except on holidays.
  const auto free = agent({.id = "free", .timeZone = "UTC"});
  EXPECT_TRUE(at(cal, free, "2024-07-04T18:00Z").onShift);
  EXPECT_FALSE(at(cal, agent({.id = "ana", .timeZone = "UTC"}), "2024-07-04T18:00Z").onShift);
}

TEST(RoutingShiftCalendar, ZoneFallbacksAndUnknownZones) {
  ShiftCalendar cal("Asia/Kolkata", {}, {});
  auto a = agent({.id = "z", .timeZone = "", .hours = {{kMon, 9 * 60, 17 * 60}}});
  // Monday 2024-01-08 04:00 UTC is 09:30 in Kolkata, 05:00 in Paris.
  EXPECT_TRUE(cal.status(a, utc("2024-01-08T04:00Z"), "", {}).onShift);
  EXPECT_FALSE(cal.status(a, utc("2024-01-08T04:00Z"), "Europe/Paris", {}).onShift);
  a.timeZone = "Nowhere/Atlantis";
  const auto s = cal.status(a, utc("2024-01-08T04:00Z"), "", {});
  EXPECT_FALSE(s.onShift);
  EXPECT_TRUE(s.unknownZone);

  RoutingKnowledge k;
  RoutingEngine e(config("default: {chain: [{strategy: least_busy}]}"), k);
  auto o = e.route(request("", {a, agent({.id = "ok"})}), utc("2024-01-08T04:00Z"));
  EXPECT_EQ(*o.agent, "ok");
  ASSERT_EQ(o.unknownZones.size(), 1u);
  EXPECT_EQ(o.unknownZones[0], "z: Nowhere/Atlantis");
}
