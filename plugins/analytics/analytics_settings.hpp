#pragma once

// The plugin's configuration: its declared keys and the values read from them.

#include <chrono>
#include <string>

#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::analytics {

struct AnalyticsSettings {
  std::string tenant = "default";         // whose figures the gauges and the daily summary show
  std::string timeZone = "UTC";           // where "today" and "yesterday" are
  bool survey = true;
  std::string surveyText;
  std::chrono::milliseconds answerWindow{24 * 3'600'000};
  bool recloseAfterAnswer = true;
  bool dailySummary = true;
  std::chrono::milliseconds dailySummaryDelay{5 * 60'000};
  std::chrono::milliseconds refreshInterval{60'000};
};

sdk::ConfigSchema analyticsSchema();

/// Reads validated configuration; an unknown time zone is an error naming the key.
sdk::Result<AnalyticsSettings> readSettings(const sdk::ConfigValue& config);

}  // namespace switchboard::analytics
