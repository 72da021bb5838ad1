#pragma once

// A campaign's definition: what to send (a stored template or inline text with parameters, per
// A/B variant), to whom (a contact segment), from which accounts, when (a schedule) and how fast
// (pacing). Parsed from JSON (the admin routes) or from the plugin's YAML section converted to
// JSON, with every value checked: a definition is accepted whole or refused with the key at fault.

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "schedule.hpp"
#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/segments.hpp"

namespace switchboard::campaigns {

/// One A/B variant: its share of the audience and its message.
struct Variant {
  std::string name;
  int weight = 1;                             ///< Relative share of the audience.
  std::string templateName;                   ///< A stored template, or
  std::string text;                           ///< inline text; both may use {{parameters}}.
  std::map<std::string, std::string> params;  ///< Over the campaign's own params.
};

/// Quiet hours in the recipient's local time: no message starts between `startMinute` and
/// `endMinute` (minutes after midnight; a window may wrap past midnight). Equal bounds: none.
struct QuietHours {
  int startMinute = 0;
  int endMinute = 0;
  bool active() const { return startMinute != endMinute; }
};

struct Pacing {
  double perMinute = 60;      ///< Messages per minute and account, at most.
  double jitter = 0;          ///< 0..1: each gap is stretched by up to this fraction, at random.
  QuietHours quiet;
  std::string defaultTimeZone = "UTC";  ///< For contacts without a `time_zone` field.
};

struct Campaign {
  std::string id;             ///< [A-Za-z0-9._-], 1..40 bytes: it goes into every command id.
  std::string name;
  std::vector<Variant> variants;  ///< At least one; one implicit "main" when none was given.
  std::map<std::string, std::string> params;
  sdk::ContactSegment segment;            ///< Without activity bounds: those are relative, below.
  std::optional<long long> activeWithinMs;  ///< Segment: active in this window before the run starts.
  std::optional<long long> inactiveForMs;   ///< Segment: silent for at least this long.
  std::vector<std::string> accounts;  ///< The sending pool; a contact always goes out on the same one.
  Schedule schedule;
  Pacing pacing;
};

/// Parses and checks a definition. Errors are Permanent, code "campaign.invalid", and name the key.
sdk::Result<Campaign> parseCampaign(const nlohmann::json& j);
/// The definition as JSON, in the form parseCampaign reads (round trip).
nlohmann::json toJson(const Campaign& c);

/// "30d", "12h", "15m", "10s", "250ms" or a number of milliseconds.
std::optional<long long> parseDurationMs(const nlohmann::json& v);
/// "HH:MM" as minutes after midnight.
std::optional<int> parseClock(const std::string& s);

}  // namespace switchboard::campaigns
