// The plugin's own pieces: reading a score out of a customer's message, local days around the
// changes of clocks, the daily summary's attributes, and configuration errors.

#include <gtest/gtest.h>

#include "analytics_settings.hpp"
#include "daily_summary.hpp"
#include "local_day.hpp"
#include "survey_answer.hpp"

namespace sb = switchboard::sdk;
using namespace switchboard::analytics;

TEST(SurveyAnswer, ScoresAreReadOnlyWhenTheWholeMessageIsOne) {
  EXPECT_EQ(parseSurveyScore("5"), 5);
  EXPECT_EQ(parseSurveyScore(" 4 \n"), 4);
  EXPECT_EQ(parseSurveyScore("3/5"), 3);
  EXPECT_EQ(parseSurveyScore("1."), 1);
  EXPECT_EQ(parseSurveyScore("2!"), 2);
  EXPECT_EQ(parseSurveyScore("\xE2\xAD\x90\xE2\xAD\x90\xE2\xAD\x90"), 3);
  EXPECT_EQ(parseSurveyScore("\xE2\xAD\x90\xEF\xB8\x8F \xE2\xAD\x90\xEF\xB8\x8F"), 2) << "stars with variation selectors";
  for (const char* no : {"", " ", "0", "6", "45", "4 but slow", "five", "thanks", "5/10", "-3",
                         "\xE2\xAD\x90\xE2\xAD\x90\xE2\xAD\x90\xE2\xAD\x90\xE2\xAD\x90\xE2\xAD\x90"}) {
    EXPECT_FALSE(parseSurveyScore(no).has_value()) << '"' << no << '"';
  }
  EXPECT_FALSE(parseSurveyScore(std::string(1000, ' ') + "5").has_value()) << "long messages are no score";
}

TEST(LocalDay, DaysAreLocalAndMayBe23Or25HoursLong) {
  // 2026-03-29 12:00 UTC, Berlin: the day clocks go forward.
  auto spring = localDayOf(1'774'785'600'000, "Europe/Berlin");
  ASSERT_TRUE(spring.ok());
  EXPECT_EQ(spring->label, "2026-03-29");
  EXPECT_EQ(spring->range.from, 1'774'738'800'000);  // 03-28 23:00 UTC
  EXPECT_EQ(spring->range.to - spring->range.from, 23 * 3'600'000LL);
  // 2026-10-25 12:00 UTC: they go back.
  auto autumn = localDayOf(1'792'929'600'000, "Europe/Berlin");
  ASSERT_TRUE(autumn.ok());
  EXPECT_EQ(autumn->label, "2026-10-25");
  EXPECT_EQ(autumn->range.to - autumn->range.from, 25 * 3'600'000LL);
  // 23:30 UTC is already tomorrow in Tokyo.
  auto tokyo = localDayOf(1'774'740'600'000, "Asia/Tokyo");
  ASSERT_TRUE(tokyo.ok());
  EXPECT_EQ(tokyo->label, "2026-03-29");
  auto bad = localDayOf(0, "Nowhere/Land");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "analytics.unknown_time_zone");
}

TEST(DailySummary, AttributesCarryTheDayAndExactMeans) {
  LocalDay day{"2026-03-29", {1'774'738'800'000, 1'774'821'600'000, "Europe/Berlin"}};
  sb::AnalyticsSummary s;
  s.episodes = 4;
  s.resolved = 3;
  s.firstResponseMs = {9'660'000, 4};
  s.satisfaction.sent = 3;
  s.satisfaction.answered = 2;
  s.satisfaction.score = {9, 2};
  const auto e = dailySummaryEvent("default", day, s, 42);
  EXPECT_EQ(e.type, "analytics.daily_summary");
  EXPECT_EQ(e.subject, "2026-03-29");
  EXPECT_EQ(e.attributes.at("time_zone"), "Europe/Berlin");
  EXPECT_EQ(e.attributes.at("resolution_rate"), "0.7500");
  EXPECT_EQ(e.attributes.at("first_response_ms"), "2415000.000");
  EXPECT_EQ(e.attributes.at("response_ms"), "") << "no samples: empty";
  EXPECT_EQ(e.attributes.at("satisfaction"), "4.500");
}

TEST(Settings, AnUnknownTimeZoneIsAConfigError) {
  sb::ConfigValue::Map m;
  for (const auto& f : analyticsSchema().fields) {
    if (f.defaultValue) {
      m[f.name] = *f.defaultValue;
    }
  }
  auto ok = readSettings(sb::ConfigValue::ofMap(m));
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_EQ(ok->timeZone, "UTC");
  EXPECT_TRUE(ok->survey);
  m["time_zone"] = sb::ConfigValue::ofString("Europe/Berlín");
  auto bad = readSettings(sb::ConfigValue::ofMap(m));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("analytics.time_zone"), std::string::npos);
}
