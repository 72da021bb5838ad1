// Survey answers and analytics range parameters from arbitrary bytes: never a crash, a score is
// always 1 to 5, and an accepted range always yields ordered, bounded buckets.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "storage/analytics_zone.hpp"
#include "survey_answer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (auto score = switchboard::analytics::parseSurveyScore(text); score && (*score < 1 || *score > 5)) {
    std::abort();
  }
  // "<zone>|<from>|<to>": the three query parameters of /v1/analytics/*.
  const auto a = text.find('|');
  const auto b = a == std::string::npos ? a : text.find('|', a + 1);
  if (b == std::string::npos || size > 200) {
    return 0;
  }
  namespace st = switchboard::host::storage;
  const std::string zone = text.substr(0, a);
  auto from = st::parseInstant(text.substr(a + 1, b - a - 1), zone);
  auto to = st::parseInstant(text.substr(b + 1), zone);
  if (!from.ok() || !to.ok()) {
    return 0;
  }
  const switchboard::sdk::AnalyticsRange range{from.value(), to.value(), zone};
  auto spans = st::offsetSpans(range);
  if (!spans.ok()) {
    return 0;
  }
  const auto buckets = st::localBuckets(range, spans.value(), switchboard::sdk::AnalyticsBucket::Hour);
  if (buckets.empty() || buckets.size() > 366 * 24 + 64) {
    std::abort();
  }
  for (std::size_t i = 1; i < buckets.size(); ++i) {
    if (buckets[i].start <= buckets[i - 1].start) {
      std::abort();
    }
  }
  return 0;
}
