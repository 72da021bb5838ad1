// Business hours: wall-clock intervals in a time zone, across midnight, across daylight-saving
// changes in both directions, holidays (dated, yearly, ranges, around New Year), next opening.

#include <gtest/gtest.h>

#include "business_hours.hpp"
#include "test_support.hpp"

namespace ar = switchboard::autoresponder;
using ar::test::utc;

namespace {

ar::BusinessHours make(const std::string& zone, const std::vector<int>& days, const std::string& from,
                       const std::string& to, const std::vector<std::string>& holidays = {}) {
  std::vector<ar::OpenInterval> intervals;
  for (int d : days) {
    intervals.push_back({d, *ar::BusinessHours::parseClock(from), *ar::BusinessHours::parseClock(to)});
  }
  std::vector<ar::Holiday> hs;
  for (const auto& h : holidays) {
    auto parsed = ar::BusinessHours::parseHoliday(h);
    EXPECT_TRUE(parsed) << h;
    if (parsed) {
      hs.push_back(*parsed);
    }
  }
  auto b = ar::BusinessHours::make("test", zone, intervals, hs);
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().message);
  return std::move(b).value();
}

const std::vector<int> kWeekdays{1, 2, 3, 4, 5};
const std::vector<int> kDaily{0, 1, 2, 3, 4, 5, 6};

}  // namespace

TEST(AutoresponderBusinessHours, WeekdayHoursInTheZone) {
  auto b = make("Europe/Berlin", kWeekdays, "09:00", "17:00");  // CET is UTC+1 in January
  EXPECT_TRUE(b.isOpen(utc(2024, 1, 15, 8, 30)));    // Mon 09:30
  EXPECT_TRUE(b.isOpen(utc(2024, 1, 15, 8, 0)));     // Mon 09:00 opens
  EXPECT_FALSE(b.isOpen(utc(2024, 1, 15, 7, 59)));   // Mon 08:59
  EXPECT_TRUE(b.isOpen(utc(2024, 1, 15, 15, 59)));   // Mon 16:59
  EXPECT_FALSE(b.isOpen(utc(2024, 1, 15, 16, 0)));   // Mon 17:00 closes
  EXPECT_FALSE(b.isOpen(utc(2024, 1, 20, 10, 0)));   // Saturday
}

TEST(AutoresponderBusinessHours, IntervalAcrossMidnightBelongsToItsStartDay) {
  auto b = make("Europe/Berlin", {6}, "22:00", "02:00");  // Saturday night
  EXPECT_FALSE(b.isOpen(utc(2024, 1, 20, 20, 59)));  // Sat 21:59
  EXPECT_TRUE(b.isOpen(utc(2024, 1, 20, 21, 30)));   // Sat 22:30
  EXPECT_TRUE(b.isOpen(utc(2024, 1, 20, 23, 0)));    // Sun 00:00
  EXPECT_TRUE(b.isOpen(utc(2024, 1, 21, 0, 59)));    // Sun 01:59
  EXPECT_FALSE(b.isOpen(utc(2024, 1, 21, 1, 0)));    // Sun 02:00
  EXPECT_FALSE(b.isOpen(utc(2024, 1, 19, 22, 0)));   // Fri 23:00: the interval starts on Saturdays only
  EXPECT_FALSE(b.isOpen(utc(2024, 1, 21, 21, 30)));  // Sun 22:30
}

TEST(AutoresponderBusinessHours, SpringForwardKeepsWallClockHours) {
  auto b = make("America/New_York", kWeekdays, "09:00", "17:00");
  // Friday 2024-03-08 is EST (UTC-5); Monday 2024-03-11 is EDT (UTC-4).
  EXPECT_TRUE(b.isOpen(utc(2024, 3, 8, 14, 30)));
  EXPECT_FALSE(b.isOpen(utc(2024, 3, 8, 13, 30)));
  EXPECT_TRUE(b.isOpen(utc(2024, 3, 11, 13, 30)));
  EXPECT_FALSE(b.isOpen(utc(2024, 3, 11, 12, 30)));
  EXPECT_TRUE(b.isOpen(utc(2024, 3, 11, 20, 59)));
  EXPECT_FALSE(b.isOpen(utc(2024, 3, 11, 21, 0)));
}

TEST(AutoresponderBusinessHours, NightShiftAcrossTheSpringForwardJump) {
  // Saturday 22:00 to 03:00; on 2024-03-10 the clocks jump from 02:00 EST to 03:00 EDT.
  auto b = make("America/New_York", {6}, "22:00", "03:00");
  EXPECT_TRUE(b.isOpen(utc(2024, 3, 10, 3, 0)));    // Sat 22:00 EST
  EXPECT_TRUE(b.isOpen(utc(2024, 3, 10, 6, 59)));   // Sun 01:59 EST
  EXPECT_FALSE(b.isOpen(utc(2024, 3, 10, 7, 0)));   // Sun 03:00 EDT: the wall clock says closed
}

TEST(AutoresponderBusinessHours, FallBackRepeatsTheHour) {
  // On 2024-11-03 01:00..02:00 happens twice (EDT, then EST).
  auto b = make("America/New_York", {0}, "01:00", "02:00");
  EXPECT_FALSE(b.isOpen(utc(2024, 11, 3, 4, 59)));  // 00:59 EDT
  EXPECT_TRUE(b.isOpen(utc(2024, 11, 3, 5, 30)));   // 01:30 EDT
  EXPECT_TRUE(b.isOpen(utc(2024, 11, 3, 6, 30)));   // 01:30 EST, the second time
  EXPECT_FALSE(b.isOpen(utc(2024, 11, 3, 7, 0)));   // 02:00 EST
}

TEST(AutoresponderBusinessHours, HolidaysDatedYearlyAndRanges) {
  auto b = make("Europe/Berlin", kDaily, "09:00", "17:00",
                {"12-25", "2024-12-30..2025-01-01", "2024-05-01", "12-31..01-02"});
  EXPECT_FALSE(b.isOpen(utc(2024, 12, 25, 10)));
  EXPECT_FALSE(b.isOpen(utc(2031, 12, 25, 10)));  // yearly
  EXPECT_TRUE(b.isOpen(utc(2024, 12, 26, 10)));
  EXPECT_FALSE(b.isOpen(utc(2024, 12, 30, 10)));  // dated range
  EXPECT_FALSE(b.isOpen(utc(2025, 1, 1, 10)));
  EXPECT_FALSE(b.isOpen(utc(2027, 1, 2, 10)));    // yearly range across New Year
  EXPECT_TRUE(b.isOpen(utc(2027, 1, 3, 10)));
  EXPECT_TRUE(b.isOpen(utc(2027, 12, 30, 10)));
  EXPECT_FALSE(b.isOpen(utc(2024, 5, 1, 10)));
  EXPECT_TRUE(b.isOpen(utc(2025, 5, 1, 10)));     // dated: that year only
}

TEST(AutoresponderBusinessHours, HolidayClosesShiftsStartingOnIt) {
  auto sundayOff = make("Europe/Berlin", {6}, "22:00", "02:00", {"2024-01-21"});
  EXPECT_TRUE(sundayOff.isOpen(utc(2024, 1, 21, 0, 0)));  // Sun 01:00: Saturday's shift runs on
  auto saturdayOff = make("Europe/Berlin", {6}, "22:00", "02:00", {"2024-01-20"});
  EXPECT_FALSE(saturdayOff.isOpen(utc(2024, 1, 20, 22, 0)));
  EXPECT_FALSE(saturdayOff.isOpen(utc(2024, 1, 21, 0, 0)));
}

TEST(AutoresponderBusinessHours, NextOpening) {
  auto b = make("Europe/Berlin", kWeekdays, "09:00", "17:00");
  EXPECT_EQ(b.nextOpening(utc(2024, 1, 19, 17)), utc(2024, 1, 22, 8));  // Fri 18:00 -> Mon 09:00
  EXPECT_EQ(b.nextOpening(utc(2024, 1, 22, 10)), utc(2024, 1, 22, 10)); // open now
  EXPECT_EQ(b.nextOpening(utc(2024, 1, 22, 6)), utc(2024, 1, 22, 8));   // later the same day
  auto holiday = make("Europe/Berlin", kWeekdays, "09:00", "17:00", {"2024-01-22"});
  EXPECT_EQ(holiday.nextOpening(utc(2024, 1, 19, 17)), utc(2024, 1, 23, 8));
  auto ny = make("America/New_York", kWeekdays, "09:00", "17:00");
  EXPECT_EQ(ny.nextOpening(utc(2024, 3, 8, 23)), utc(2024, 3, 11, 13));  // EST Friday -> EDT Monday
  EXPECT_EQ(ny.localText(utc(2024, 3, 11, 13)), "Mon 09:00");
  auto never = make("Europe/Berlin", {}, "09:00", "17:00");
  EXPECT_FALSE(never.nextOpening(utc(2024, 1, 19, 17)));
}

TEST(AutoresponderBusinessHours, OpeningInsideTheSkippedHourIsTheJump) {
  // Europe/Berlin skips 02:00..03:00 on 2024-03-31 (01:00 UTC); a 02:30 start opens at the jump.
  auto b = make("Europe/Berlin", {0}, "02:30", "05:00");
  EXPECT_EQ(b.nextOpening(utc(2024, 3, 30, 12)), utc(2024, 3, 31, 1));
  EXPECT_TRUE(b.isOpen(utc(2024, 3, 31, 1)));  // 03:00 CEST
}

TEST(AutoresponderBusinessHours, ParsingAndErrors) {
  EXPECT_EQ(ar::BusinessHours::parseClock("24:00"), 1440);
  EXPECT_EQ(ar::BusinessHours::parseClock("07:05"), 425);
  EXPECT_FALSE(ar::BusinessHours::parseClock("24:01"));
  EXPECT_FALSE(ar::BusinessHours::parseClock("9:00"));
  EXPECT_FALSE(ar::BusinessHours::parseClock("12:60"));
  EXPECT_TRUE(ar::BusinessHours::parseHoliday("02-29"));
  EXPECT_FALSE(ar::BusinessHours::parseHoliday("2023-02-29"));
  EXPECT_FALSE(ar::BusinessHours::parseHoliday("2024-12-26..2024-12-24"));
  EXPECT_FALSE(ar::BusinessHours::parseHoliday("12-24..2024-12-26"));
  EXPECT_FALSE(ar::BusinessHours::parseHoliday("Christmas"));
  EXPECT_EQ(ar::BusinessHours::parseDays("Mon"), std::vector<int>{1});
  EXPECT_EQ(ar::BusinessHours::parseDays("thursday"), std::vector<int>{4});
  EXPECT_EQ(ar::BusinessHours::parseDays("weekend"), (std::vector<int>{0, 6}));
  EXPECT_FALSE(ar::BusinessHours::parseDays("t"));
  auto bad = ar::BusinessHours::make("x", "Europe/Berln", {}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("\"Europe/Berln\""), std::string::npos) << bad.error().message;
}
