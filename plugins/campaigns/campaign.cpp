#include "campaign.hpp"

#include <cctype>
#include <cmath>
#include <limits>

namespace switchboard::campaigns {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxIdBytes = 40;
constexpr std::size_t kMaxVariants = 16;
constexpr std::size_t kMaxListItems = 100;

sdk::Error invalid(const std::string& key, const std::string& why) {
  return sdk::Error::permanent("campaign.invalid", key + ": " + why);
}

bool validId(const std::string& s) {
  if (s.empty() || s.size() > kMaxIdBytes) {
    return false;
  }
  for (unsigned char c : s) {
    if (std::isalnum(c) == 0 && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

// Reads an optional string member; an error when present with another type.
sdk::Result<std::string> stringAt(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || j[key].is_null()) {
    return std::string();
  }
  if (j[key].is_number() || j[key].is_boolean()) {
    return j[key].dump();  // YAML gives no way to tell "1234" the text from 1234 the number
  }
  if (!j[key].is_string()) {
    return invalid(where + key, "must be a string");
  }
  return j[key].get<std::string>();
}

sdk::Result<std::vector<std::string>> stringListAt(const json& j, const char* key, const std::string& where) {
  std::vector<std::string> out;
  if (!j.contains(key) || j[key].is_null()) {
    return out;
  }
  const auto& v = j[key];
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
    return out;
  }
  if (!v.is_array() || v.size() > kMaxListItems) {
    return invalid(where + key, "must be a list of at most " + std::to_string(kMaxListItems) + " strings");
  }
  for (const auto& item : v) {
    if (item.is_number_integer()) {
      out.push_back(item.dump());  // an account number written without quotes
      continue;
    }
    if (!item.is_string()) {
      return invalid(where + key, "must be a list of strings");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

sdk::Result<std::map<std::string, std::string>> stringMapAt(const json& j, const char* key, const std::string& where) {
  std::map<std::string, std::string> out;
  if (!j.contains(key) || j[key].is_null()) {
    return out;
  }
  if (!j[key].is_object() || j[key].size() > kMaxListItems) {
    return invalid(where + key, "must be a map of at most " + std::to_string(kMaxListItems) + " entries");
  }
  for (const auto& [k, v] : j[key].items()) {
    if (v.is_string()) {
      out[k] = v.get<std::string>();
    } else if (v.is_number() || v.is_boolean()) {
      out[k] = v.dump();
    } else {
      return invalid(where + key + "." + k, "must be a string");
    }
  }
  return out;
}

sdk::Status checkKeys(const json& j, const std::string& where, std::initializer_list<const char*> known) {
  if (!j.is_object()) {
    return invalid(where.empty() ? "campaign" : where.substr(0, where.size() - 1), "must be a map");
  }
  for (const auto& [k, v] : j.items()) {
    (void)v;
    bool ok = false;
    for (const char* name : known) {
      ok = ok || k == name;
    }
    if (!ok) {
      return invalid(where + k, "unknown key");
    }
  }
  return sdk::okStatus();
}

sdk::Result<sdk::ContactSegment> parseSegment(const json& j) {
  sdk::ContactSegment s;
  if (j.is_null()) {
    return s;
  }
  SB_TRY(checkKeys(j, "segment.", {"tags", "tags_any", "tags_none", "fields", "active_within", "inactive_for",
                                   "opted_in_only"}));
  auto all = stringListAt(j, "tags", "segment.");
  SB_TRY(all);
  auto any = stringListAt(j, "tags_any", "segment.");
  SB_TRY(any);
  auto none = stringListAt(j, "tags_none", "segment.");
  SB_TRY(none);
  auto fields = stringMapAt(j, "fields", "segment.");
  SB_TRY(fields);
  s.allTags = *all;
  s.anyTags = *any;
  s.noneTags = *none;
  s.fields = *fields;
  if (j.contains("opted_in_only")) {
    if (!j["opted_in_only"].is_boolean()) {
      return invalid("segment.opted_in_only", "must be true or false");
    }
    s.optedInOnly = j["opted_in_only"].get<bool>();
  }
  return s;
}

sdk::Result<Schedule> parseSchedule(const json& j) {
  Schedule s;
  if (j.is_null()) {
    return s;
  }
  SB_TRY(checkKeys(j, "schedule.", {"type", "at", "time", "time_zone", "weekdays", "max_runs"}));
  auto type = stringAt(j, "type", "schedule.");
  SB_TRY(type);
  if (type->empty() || *type == "now") {
    s.kind = Schedule::Kind::Now;
  } else if (*type == "at") {
    s.kind = Schedule::Kind::At;
  } else if (*type == "recurring") {
    s.kind = Schedule::Kind::Recurring;
  } else {
    return invalid("schedule.type", "\"" + *type + "\" is not one of now, at, recurring");
  }
  auto zone = stringAt(j, "time_zone", "schedule.");
  SB_TRY(zone);
  if (!zone->empty()) {
    s.timeZone = *zone;
  }
  auto at = stringAt(j, s.kind == Schedule::Kind::Recurring ? "time" : "at", "schedule.");
  SB_TRY(at);
  s.localTime = *at;
  if (j.contains("weekdays")) {
    if (!j["weekdays"].is_array() || j["weekdays"].size() > 7) {
      return invalid("schedule.weekdays", "must be a list of weekdays 0 (Sunday) .. 6");
    }
    for (const auto& w : j["weekdays"]) {
      if (!w.is_number_integer()) {
        return invalid("schedule.weekdays", "must be a list of weekdays 0 (Sunday) .. 6");
      }
      s.weekdays.push_back(w.get<int>());
    }
  }
  if (j.contains("max_runs")) {
    if (!j["max_runs"].is_number_integer()) {
      return invalid("schedule.max_runs", "must be an integer");
    }
    s.maxRuns = j["max_runs"].get<int>();
  }
  SB_TRY(s.validate());
  return s;
}

sdk::Result<Pacing> parsePacing(const json& j) {
  Pacing p;
  if (j.is_null()) {
    return p;
  }
  SB_TRY(checkKeys(j, "pacing.", {"per_minute", "jitter", "quiet_hours", "default_time_zone"}));
  if (j.contains("per_minute")) {
    if (!j["per_minute"].is_number() || !(j["per_minute"].get<double>() > 0) ||
        j["per_minute"].get<double>() > 60'000) {
      return invalid("pacing.per_minute", "must be a number above 0 and at most 60000");
    }
    p.perMinute = j["per_minute"].get<double>();
  }
  if (j.contains("jitter")) {
    if (!j["jitter"].is_number() || j["jitter"].get<double>() < 0 || j["jitter"].get<double>() > 1) {
      return invalid("pacing.jitter", "must be a number from 0 to 1");
    }
    p.jitter = j["jitter"].get<double>();
  }
  auto zone = stringAt(j, "default_time_zone", "pacing.");
  SB_TRY(zone);
  if (!zone->empty()) {
    p.defaultTimeZone = *zone;
    if (!localClock(p.defaultTimeZone, 0)) {
      return invalid("pacing.default_time_zone", "unknown time zone \"" + p.defaultTimeZone + "\"");
    }
  }
  if (j.contains("quiet_hours") && !j["quiet_hours"].is_null()) {
    const auto& q = j["quiet_hours"];
    SB_TRY(checkKeys(q, "pacing.quiet_hours.", {"start", "end"}));
    auto start = stringAt(q, "start", "pacing.quiet_hours.");
    SB_TRY(start);
    auto end = stringAt(q, "end", "pacing.quiet_hours.");
    SB_TRY(end);
    auto s = parseClock(*start), e = parseClock(*end);
    if (!s || !e) {
      return invalid("pacing.quiet_hours", "start and end must be times of day \"HH:MM\"");
    }
    p.quiet = {*s, *e};
  }
  return p;
}

sdk::Result<Variant> parseVariant(const json& j, std::size_t index) {
  const std::string where = "variants[" + std::to_string(index) + "].";
  SB_TRY(checkKeys(j, where, {"name", "weight", "template", "text", "params"}));
  Variant v;
  auto name = stringAt(j, "name", where);
  SB_TRY(name);
  v.name = name->empty() ? std::string(1, static_cast<char>('A' + index)) : *name;
  if (!validId(v.name)) {
    return invalid(where + "name", "\"" + v.name + "\" must be 1..40 of [A-Za-z0-9._-]");
  }
  if (j.contains("weight")) {
    if (!j["weight"].is_number_integer() || j["weight"].get<long long>() < 1 || j["weight"].get<long long>() > 10000) {
      return invalid(where + "weight", "must be an integer from 1 to 10000");
    }
    v.weight = j["weight"].get<int>();
  }
  auto templ = stringAt(j, "template", where);
  SB_TRY(templ);
  auto text = stringAt(j, "text", where);
  SB_TRY(text);
  auto params = stringMapAt(j, "params", where);
  SB_TRY(params);
  v.templateName = *templ;
  v.text = *text;
  v.params = *params;
  return v;
}

}  // namespace

std::optional<int> parseClock(const std::string& s) {
  if (s.size() != 5 || s[2] != ':' || std::isdigit(static_cast<unsigned char>(s[0])) == 0 ||
      std::isdigit(static_cast<unsigned char>(s[1])) == 0 || std::isdigit(static_cast<unsigned char>(s[3])) == 0 ||
      std::isdigit(static_cast<unsigned char>(s[4])) == 0) {
    return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) {
    return std::nullopt;
  }
  return h * 60 + m;
}

std::optional<long long> parseDurationMs(const json& v) {
  if (v.is_number_integer() && v.get<long long>() >= 0) {
    return v.get<long long>();
  }
  if (!v.is_string()) {
    return std::nullopt;
  }
  const auto s = v.get<std::string>();
  std::size_t digits = 0;
  while (digits < s.size() && digits < 12 && std::isdigit(static_cast<unsigned char>(s[digits])) != 0) {
    ++digits;
  }
  if (digits == 0) {
    return std::nullopt;
  }
  const long long n = std::stoll(s.substr(0, digits));
  const std::string unit = s.substr(digits);
  long long factor = 0;
  if (unit == "ms") factor = 1;
  else if (unit == "s") factor = 1000;
  else if (unit == "m") factor = 60'000;
  else if (unit == "h") factor = 3'600'000;
  else if (unit == "d") factor = 86'400'000;
  // Twelve digits of days would overflow: such a duration is refused, not wrapped.
  if (factor == 0 || n > std::numeric_limits<long long>::max() / factor) {
    return std::nullopt;
  }
  return n * factor;
}

sdk::Result<Campaign> parseCampaign(const json& j) {
  SB_TRY(checkKeys(j, "", {"id", "name", "template", "text", "params", "segment", "accounts", "schedule", "pacing",
                           "variants"}));
  Campaign c;
  auto id = stringAt(j, "id", "");
  SB_TRY(id);
  if (!validId(*id)) {
    return invalid("id", "\"" + *id + "\" must be 1..40 of [A-Za-z0-9._-]");
  }
  c.id = *id;
  auto name = stringAt(j, "name", "");
  SB_TRY(name);
  c.name = name->empty() ? c.id : *name;
  auto params = stringMapAt(j, "params", "");
  SB_TRY(params);
  c.params = *params;
  auto segment = parseSegment(j.contains("segment") ? j["segment"] : json());
  SB_TRY(segment);
  c.segment = *segment;
  auto accounts = stringListAt(j, "accounts", "");
  SB_TRY(accounts);
  c.accounts = *accounts;
  if (c.accounts.empty()) {
    return invalid("accounts", "name at least one sending account");
  }
  auto schedule = parseSchedule(j.contains("schedule") ? j["schedule"] : json());
  SB_TRY(schedule);
  c.schedule = *schedule;
  auto pacing = parsePacing(j.contains("pacing") ? j["pacing"] : json());
  SB_TRY(pacing);
  c.pacing = *pacing;

  if (j.contains("variants") && !j["variants"].is_null()) {
    if (!j["variants"].is_array() || j["variants"].empty() || j["variants"].size() > kMaxVariants) {
      return invalid("variants", "must be a list of 1.." + std::to_string(kMaxVariants) + " variants");
    }
    for (std::size_t i = 0; i < j["variants"].size(); ++i) {
      auto v = parseVariant(j["variants"][i], i);
      SB_TRY(v);
      for (const auto& other : c.variants) {
        if (other.name == v->name) {
          return invalid("variants[" + std::to_string(i) + "].name", "\"" + v->name + "\" is used twice");
        }
      }
      c.variants.push_back(std::move(v).value());
    }
  } else {
    Variant v;
    v.name = "main";
    c.variants.push_back(v);
  }
  // Campaign-level template/text is what a variant without its own message sends.
  auto templ = stringAt(j, "template", "");
  SB_TRY(templ);
  auto text = stringAt(j, "text", "");
  SB_TRY(text);
  for (std::size_t i = 0; i < c.variants.size(); ++i) {
    auto& v = c.variants[i];
    if (v.templateName.empty() && v.text.empty()) {
      v.templateName = *templ;
      v.text = *text;
    }
    if (v.templateName.empty() && v.text.empty()) {
      return invalid(c.variants.size() == 1 && v.name == "main" ? "template" : "variants[" + std::to_string(i) + "]",
                     "give a template name or a text");
    }
  }
  // Relative activity windows: kept as durations in JSON, turned into bounds per run.
  if (j.contains("segment") && j["segment"].is_object()) {
    for (const char* key : {"active_within", "inactive_for"}) {
      if (j["segment"].contains(key)) {
        auto ms = parseDurationMs(j["segment"][key]);
        if (!ms) {
          return invalid(std::string("segment.") + key, "must be a duration such as \"30d\", \"12h\" or \"15m\"");
        }
        (std::string(key) == "active_within" ? c.activeWithinMs : c.inactiveForMs) = *ms;
      }
    }
  }
  return c;
}

json toJson(const Campaign& c) {
  json segment = {{"tags", c.segment.allTags},       {"tags_any", c.segment.anyTags},
                  {"tags_none", c.segment.noneTags}, {"fields", c.segment.fields},
                  {"opted_in_only", c.segment.optedInOnly}};
  if (c.activeWithinMs) {
    segment["active_within"] = *c.activeWithinMs;
  }
  if (c.inactiveForMs) {
    segment["inactive_for"] = *c.inactiveForMs;
  }
  json schedule = {{"type", toString(c.schedule.kind)}, {"time_zone", c.schedule.timeZone}};
  if (c.schedule.kind == Schedule::Kind::At) {
    schedule["at"] = c.schedule.localTime;
  } else if (c.schedule.kind == Schedule::Kind::Recurring) {
    schedule["time"] = c.schedule.localTime;
    schedule["weekdays"] = c.schedule.weekdays;
    schedule["max_runs"] = c.schedule.maxRuns;
  }
  json pacing = {{"per_minute", c.pacing.perMinute},
                 {"jitter", c.pacing.jitter},
                 {"default_time_zone", c.pacing.defaultTimeZone}};
  if (c.pacing.quiet.active()) {
    char start[32], end[32];
    std::snprintf(start, sizeof start, "%02d:%02d", c.pacing.quiet.startMinute / 60, c.pacing.quiet.startMinute % 60);
    std::snprintf(end, sizeof end, "%02d:%02d", c.pacing.quiet.endMinute / 60, c.pacing.quiet.endMinute % 60);
    pacing["quiet_hours"] = {{"start", start}, {"end", end}};
  }
  json variants = json::array();
  for (const auto& v : c.variants) {
    variants.push_back({{"name", v.name}, {"weight", v.weight}, {"template", v.templateName}, {"text", v.text},
                        {"params", v.params}});
  }
  return {{"id", c.id},         {"name", c.name},         {"params", c.params},     {"segment", segment},
          {"accounts", c.accounts}, {"schedule", schedule}, {"pacing", pacing}, {"variants", variants}};
}

}  // namespace switchboard::campaigns
