#include "analytics_settings.hpp"

#include "local_day.hpp"

namespace switchboard::analytics {

namespace field = sdk::field;
using namespace std::chrono_literals;

sdk::ConfigSchema analyticsSchema() {
  return {{
      field::string("tenant", "Tenant whose figures the gauges and the daily summary show", "default"),
      field::string("time_zone", "IANA time zone of the daily summary's days and the gauges' today", "UTC"),
      field::boolean("survey", "Send a satisfaction survey when a conversation is closed", true),
      field::string("survey_text", "The survey's text",
                    "How satisfied were you with our help? Reply with a number from 1 (poor) to 5 (excellent)."),
      field::duration("survey_answer_window", "How long after the survey the next message counts as its answer",
                      24h)
          .range(60'000, 30 * 86'400'000.0),
      field::boolean("reclose_after_answer",
                     "Close the conversation again when the customer's message was only the score", true),
      field::boolean("daily_summary", "Publish analytics.daily_summary for each local day", true),
      field::duration("daily_summary_delay", "How long after local midnight the summary is computed", 5min)
          .range(0, 86'400'000.0),
      field::duration("refresh_interval", "How often the gauges are recomputed and the summary checked", 60s)
          .range(100, 86'400'000.0),
  }};
}

sdk::Result<AnalyticsSettings> readSettings(const sdk::ConfigValue& c) {
  AnalyticsSettings s;
  s.tenant = c["tenant"].asString();
  s.timeZone = c["time_zone"].asString();
  if (!knownTimeZone(s.timeZone)) {
    return sdk::Error::permanent("config.invalid", "analytics.time_zone: \"" + s.timeZone +
                                                       "\" is not in the tz database (e.g. Europe/Berlin)");
  }
  s.survey = c["survey"].asBool(true);
  s.surveyText = c["survey_text"].asString();
  if (s.survey && s.surveyText.empty()) {
    return sdk::Error::permanent("config.invalid", "analytics.survey_text: empty while survey is on");
  }
  s.answerWindow = c["survey_answer_window"].asDuration();
  s.recloseAfterAnswer = c["reclose_after_answer"].asBool(true);
  s.dailySummary = c["daily_summary"].asBool(true);
  s.dailySummaryDelay = c["daily_summary_delay"].asDuration();
  s.refreshInterval = c["refresh_interval"].asDuration();
  return s;
}

}  // namespace switchboard::analytics
