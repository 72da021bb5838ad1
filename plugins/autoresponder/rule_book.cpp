#include "rule_book.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "config_schema.hpp"
#include "json_config.hpp"
#include "text_fold.hpp"

namespace switchboard::autoresponder {
namespace {

constexpr std::size_t kMaxNameLength = 64;

// Where a parameter may be used: match.* needs a regular expression, hours.* a schedule.
enum class ParamScope { Plain, Regex, Away, Any };

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const auto& s : items) {
    out += (out.empty() ? "" : sep) + s;
  }
  return out;
}

template <typename Map>
std::string knownNames(const Map& map) {
  std::vector<std::string> names;
  for (const auto& kv : map) {
    names.push_back(kv.first);
  }
  return names.empty() ? "none defined" : "known: " + join(names);
}

bool validName(const std::string& name) {
  if (name.empty() || name.size() > kMaxNameLength) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::vector<std::string> stringList(const sdk::ConfigValue& v) {
  std::vector<std::string> out;
  for (const auto& item : v.asList()) {
    out.push_back(item.asString());
  }
  return out;
}

std::optional<std::string> optionalString(const sdk::ConfigValue& v) {
  if (v.kind() != sdk::ConfigValue::Kind::String) {
    return std::nullopt;
  }
  return v.asString();
}

// The MIME type a file name suggests, for media replies that do not give one.
std::optional<std::string> guessMimeType(std::string ref) {
  if (auto q = ref.find_first_of("?#"); q != std::string::npos) {
    ref.resize(q);
  }
  const auto dot = ref.rfind('.');
  if (dot == std::string::npos || ref.find('/', dot) != std::string::npos) {
    return std::nullopt;
  }
  std::string ext = ref.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const std::pair<const char*, const char*> kTypes[] = {
      {"jpg", "image/jpeg"},       {"jpeg", "image/jpeg"},       {"png", "image/png"},
      {"webp", "image/webp"},      {"gif", "image/gif"},         {"pdf", "application/pdf"},
      {"mp4", "video/mp4"},        {"3gp", "video/3gpp"},        {"mp3", "audio/mpeg"},
      {"ogg", "audio/ogg"},        {"opus", "audio/ogg"},        {"m4a", "audio/mp4"},
      {"txt", "text/plain"},       {"csv", "text/csv"},          {"zip", "application/zip"},
      {"doc", "application/msword"},
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xls", "application/vnd.ms-excel"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"ppt", "application/vnd.ms-powerpoint"},
      {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
  };
  for (const auto& [e, type] : kTypes) {
    if (ext == e) {
      return std::string(type);
    }
  }
  return std::nullopt;
}

class BookReader {
 public:
  explicit BookReader(RuleBook& book) : book_(book) {}

  std::vector<std::string>& errors() { return errors_; }

  void fail(const std::string& path, const std::string& message) { errors_.push_back(path + ": " + message); }

  // Rejects parameters whose namespace does not exist or has no value where the text is used.
  void checkParameters(const TextTemplate& t, ParamScope scope, const std::string& path) {
    for (const auto& name : t.parameterNames()) {
      const auto dot = name.find('.');
      if (dot == std::string::npos) {
        continue;  // a fixed parameter or a contact field, looked up when sending
      }
      const auto ns = name.substr(0, dot);
      if (ns == "contact" || ns == "conversation" || ns == "message") {
        continue;
      }
      if (ns == "match") {
        if (scope != ParamScope::Regex && scope != ParamScope::Any) {
          fail(path, "{{" + name + "}} only has a value in regex rules");
        }
        continue;
      }
      if (ns == "hours") {
        if (scope != ParamScope::Away && scope != ParamScope::Any) {
          fail(path, "{{" + name + "}} only has a value in away rules");
        }
        continue;
      }
      fail(path, "{{" + name + "}}: unknown parameter namespace \"" + ns +
                     "\"; known: contact, conversation, message, match, hours");
    }
  }

  std::optional<TextTemplate> parseText(const std::string& text, ParamScope scope, const std::string& path) {
    auto t = TextTemplate::parse(text);
    if (!t.ok()) {
      fail(path, t.error().message);
      return std::nullopt;
    }
    checkParameters(t.value(), scope, path);
    return std::move(t).value();
  }

  static bool replyGiven(const sdk::ConfigValue& v) {
    return !v["text"].isNull() || !v["template"].isNull() || !v["quick_reply"].isNull() ||
           !v["media"]["ref"].isNull() || !v["media"]["mime_type"].isNull() || !v["media"]["file_name"].isNull() ||
           !v["media"]["caption"].isNull();
  }

  std::optional<ReplySpec> parseReply(const sdk::ConfigValue& v, ParamScope scope, const std::string& path,
                                      bool allowQuickReply = true) {
    const auto errorsBefore = errors_.size();
    ReplySpec r;
    for (const auto& [k, value] : v["params"].asMap()) {
      r.params[k] = value.asString();
    }
    if (auto quick = optionalString(v["quick_reply"])) {
      if (!allowQuickReply) {
        fail(path + ".quick_reply", "a quick reply cannot refer to another quick reply");
        return std::nullopt;
      }
      if (!v["text"].isNull() || !v["template"].isNull() || !v["media"]["ref"].isNull()) {
        fail(path, "give quick_reply alone, without text, template or media");
        return std::nullopt;
      }
      auto it = book_.quickReplies.find(*quick);
      if (it == book_.quickReplies.end()) {
        fail(path + ".quick_reply", "unknown quick reply \"" + *quick + "\" (" + knownNames(book_.quickReplies) + ")");
        return std::nullopt;
      }
      ReplySpec out = it->second;
      for (const auto& [k, value] : r.params) {
        out.params[k] = value;  // the rule's parameters win over the quick reply's
      }
      return out;
    }
    auto text = optionalString(v["text"]);
    auto templateName = optionalString(v["template"]);
    if (text && templateName) {
      fail(path, "give text or template, not both");
    }
    if (text) {
      if (text->empty()) {
        fail(path + ".text", "is empty");
      } else {
        r.text = parseText(*text, scope, path + ".text");
      }
    }
    if (templateName) {
      r.templateName = *templateName;
      if (auto it = book_.templates.find(*templateName); it != book_.templates.end()) {
        checkParameters(it->second, scope, path + ".template (\"" + *templateName + "\")");
      }
    }
    const auto& m = v["media"];
    if (auto ref = optionalString(m["ref"])) {
      MediaReply media;
      media.ref = *ref;
      if (ref->empty()) {
        fail(path + ".media.ref", "is empty");
      }
      if (auto mime = optionalString(m["mime_type"])) {
        media.mimeType = *mime;
        if (mime->find('/') == std::string::npos) {
          fail(path + ".media.mime_type", "\"" + *mime + "\" is not a MIME type (e.g. image/jpeg)");
        }
      } else if (auto guessed = guessMimeType(*ref)) {
        media.mimeType = *guessed;
      } else {
        fail(path + ".media.mime_type", "cannot be guessed from \"" + *ref + "\"; give it");
      }
      media.fileName = optionalString(m["file_name"]).value_or("");
      if (auto caption = optionalString(m["caption"])) {
        if (auto t = parseText(*caption, scope, path + ".media.caption")) {
          media.caption = std::move(*t);
        }
      }
      r.media = std::move(media);
    } else if (!m["mime_type"].isNull() || !m["file_name"].isNull() || !m["caption"].isNull()) {
      fail(path + ".media.ref", "required when media is given");
    }
    if (!r.text && r.templateName.empty() && !r.media) {
      if (errors_.size() == errorsBefore) {
        fail(path, "a reply needs text, template, quick_reply or media");
      }
      return std::nullopt;
    }
    if (errors_.size() != errorsBefore) {
      return std::nullopt;
    }
    return r;
  }

  void parseTemplates(const sdk::ConfigValue& v) {
    for (const auto& [name, body] : v.asMap()) {
      const auto path = "templates." + name;
      if (!validName(name)) {
        fail(path, "a template name uses letters, digits, '_', '-' and '.' (at most 64)");
        continue;
      }
      if (auto t = parseText(body.asString(), ParamScope::Any, path)) {
        book_.templates.emplace(name, std::move(*t));
      }
    }
  }

  void parseSchedules(const sdk::ConfigValue& list) {
    for (std::size_t i = 0; i < list.asList().size(); ++i) {
      const auto& s = list.asList()[i];
      const auto path = "schedules[" + std::to_string(i) + "]";
      const auto name = s["name"].asString();
      if (!validName(name)) {
        fail(path + ".name", "a schedule name uses letters, digits, '_', '-' and '.' (at most 64)");
      }
      if (std::any_of(book_.schedules.begin(), book_.schedules.end(),
                      [&](const BusinessHours& b) { return b.name() == name; })) {
        fail(path + ".name", "\"" + name + "\" is already used by another schedule");
      }
      std::vector<OpenInterval> intervals;
      bool ok = true;
      for (std::size_t k = 0; k < s["hours"].asList().size(); ++k) {
        const auto& h = s["hours"].asList()[k];
        const auto hpath = path + ".hours[" + std::to_string(k) + "]";
        auto from = BusinessHours::parseClock(h["from"].asString());
        auto to = BusinessHours::parseClock(h["to"].asString());
        if (!from || *from == 1440) {
          fail(hpath + ".from", "\"" + h["from"].asString() + "\" is not a time of day HH:MM (00:00..23:59)");
          ok = false;
        }
        if (!to) {
          fail(hpath + ".to", "\"" + h["to"].asString() + "\" is not a time of day HH:MM (00:00..24:00)");
          ok = false;
        }
        if (from && to && *from == *to % 1440) {
          fail(hpath, "opens and closes at the same time; use 00:00 to 24:00 for a whole day");
          ok = false;
        }
        const auto dayNames = stringList(h["days"]);
        if (dayNames.empty()) {
          fail(hpath + ".days", "name at least one day");
          ok = false;
        }
        for (std::size_t d = 0; d < dayNames.size(); ++d) {
          auto days = BusinessHours::parseDays(dayNames[d]);
          if (!days) {
            fail(hpath + ".days[" + std::to_string(d) + "]",
                 "\"" + dayNames[d] + "\" is not a day (sun..sat, monday.., weekdays, weekend, daily)");
            ok = false;
            continue;
          }
          if (from && to) {
            for (int day : *days) {
              intervals.push_back({day, *from, *to});
            }
          }
        }
      }
      std::vector<Holiday> holidays;
      const auto holidayTexts = stringList(s["holidays"]);
      for (std::size_t k = 0; k < holidayTexts.size(); ++k) {
        auto h = BusinessHours::parseHoliday(holidayTexts[k]);
        if (!h) {
          fail(path + ".holidays[" + std::to_string(k) + "]",
               "\"" + holidayTexts[k] + "\" is not a date YYYY-MM-DD, a yearly MM-DD, or a range FIRST..LAST");
          ok = false;
          continue;
        }
        holidays.push_back(*h);
      }
      auto hours = BusinessHours::make(name, s["time_zone"].asString(), std::move(intervals), std::move(holidays));
      if (!hours.ok()) {
        fail(path + ".time_zone", hours.error().message);
        continue;
      }
      if (ok) {
        book_.schedules.push_back(std::move(hours).value());
      }
    }
  }

  void parseQuickReply(const sdk::ConfigValue& q, const std::string& path, bool replace) {
    const auto name = q["name"].asString();
    if (!validName(name)) {
      fail(path + ".name", "a quick reply name uses letters, digits, '_', '-' and '.' (at most 64)");
      return;
    }
    if (!replace && book_.quickReplies.count(name) != 0) {
      fail(path + ".name", "\"" + name + "\" is already used by another quick reply");
      return;
    }
    if (auto r = parseReply(q, ParamScope::Plain, path, /*allowQuickReply=*/false)) {
      book_.quickReplies[name] = std::move(*r);
    }
  }

  std::optional<Rule> parseRule(const sdk::ConfigValue& v, const std::string& path) {
    const auto errorsBefore = errors_.size();
    Rule rule;
    rule.source = path;
    rule.name = v["name"].asString();
    if (!validName(rule.name)) {
      fail(path + ".name", "\"" + rule.name + "\": a rule name uses letters, digits, '_', '-' and '.' (at most 64)");
    }
    const auto kind = v["kind"].asString();
    if (kind == "keyword") {
      rule.kind = RuleKind::Keyword;
    } else if (kind == "regex") {
      rule.kind = RuleKind::Regex;
    } else if (kind == "greeting") {
      rule.kind = RuleKind::Greeting;
    } else if (kind == "away") {
      rule.kind = RuleKind::Away;
    } else {
      fail(path + ".kind", "unknown kind \"" + kind + "\"; allowed: keyword, regex, greeting, away");
      return std::nullopt;
    }
    rule.priority = v["priority"].isNull()
                        ? (rule.kind == RuleKind::Away ? 300 : rule.kind == RuleKind::Greeting ? 200 : 100)
                        : static_cast<int>(v["priority"].asInt());
    rule.enabled = v["enabled"].asBool(true);
    rule.continueAfter = v["continue"].asBool(false);
    rule.accounts = stringList(v["accounts"]);
    rule.teams = stringList(v["teams"]);
    const auto excludes = stringList(v["exclude"]);
    for (std::size_t i = 0; i < excludes.size(); ++i) {
      const auto folded = foldText(excludes[i]);
      if (folded.empty()) {
        fail(path + ".exclude[" + std::to_string(i) + "]", "has no letters or digits");
        continue;
      }
      std::vector<std::string> words;
      for (auto w : splitWords(folded)) {
        words.emplace_back(w);
      }
      rule.exclude.push_back(std::move(words));
    }
    rule.cooldown = v["cooldown"].isNull() ? Millis(rule.kind == RuleKind::Away ? 4 * 3600 * 1000 : 0)
                                           : v["cooldown"].asDuration();

    const auto scope = rule.kind == RuleKind::Regex  ? ParamScope::Regex
                       : rule.kind == RuleKind::Away ? ParamScope::Away
                                                     : ParamScope::Plain;
    if (auto reply = parseReply(v["reply"], scope, path + ".reply")) {
      rule.reply = std::move(*reply);
    }

    auto notFor = [&](const char* key, const char* kinds) {
      fail(path + "." + key, std::string("only ") + kinds + " rules take this key");
    };
    const auto keywords = stringList(v["keywords"]);
    if (rule.kind == RuleKind::Keyword) {
      if (keywords.empty()) {
        fail(path + ".keywords", "a keyword rule needs at least one keyword");
      }
      for (std::size_t i = 0; i < keywords.size(); ++i) {
        auto folded = foldText(keywords[i]);
        if (folded.empty()) {
          fail(path + ".keywords[" + std::to_string(i) + "]", "\"" + keywords[i] + "\" has no letters or digits");
          continue;
        }
        rule.keywords.push_back(std::move(folded));
      }
      const auto match = v["match"].isNull() ? std::string("any") : v["match"].asString();
      rule.mode = match == "all"        ? KeywordMode::All
                  : match == "exact"    ? KeywordMode::Exact
                  : match == "contains" ? KeywordMode::Contains
                                        : KeywordMode::Any;
    } else {
      if (!keywords.empty()) {
        notFor("keywords", "keyword");
      }
      if (!v["match"].isNull()) {
        notFor("match", "keyword");
      }
    }
    if (rule.kind == RuleKind::Regex) {
      if (v["pattern"].isNull() || v["pattern"].asString().empty()) {
        fail(path + ".pattern", "a regex rule needs a pattern");
      } else {
        auto re = RegexPattern::compile(v["pattern"].asString(), v["case_sensitive"].asBool(false));
        if (!re.ok()) {
          fail(path + ".pattern", re.error().message);
        } else {
          rule.regex = std::move(re).value();
        }
      }
    } else if (!v["pattern"].isNull()) {
      notFor("pattern", "regex");
    }
    if (rule.kind == RuleKind::Greeting) {
      rule.onNewConversation = v["new_conversation"].asBool(true);
      rule.returningAfter = v["returning_after"].isNull() ? Millis(0) : v["returning_after"].asDuration();
      if (!rule.onNewConversation && rule.returningAfter.count() == 0) {
        fail(path, "a greeting with new_conversation false needs returning_after, or it never fires");
      }
    } else {
      if (!v["new_conversation"].isNull()) {
        notFor("new_conversation", "greeting");
      }
      if (!v["returning_after"].isNull()) {
        notFor("returning_after", "greeting");
      }
    }
    if (rule.kind == RuleKind::Away) {
      const auto name = v["schedule"].asString();
      auto it = std::find_if(book_.schedules.begin(), book_.schedules.end(),
                             [&](const BusinessHours& b) { return b.name() == name; });
      if (v["schedule"].isNull()) {
        fail(path + ".schedule", "an away rule needs the name of a schedule");
      } else if (it == book_.schedules.end()) {
        std::vector<std::string> names;
        for (const auto& b : book_.schedules) {
          names.push_back(b.name());
        }
        fail(path + ".schedule", "unknown schedule \"" + name + "\" (" +
                                     (names.empty() ? std::string("none defined") : "known: " + join(names)) + ")");
      } else {
        rule.schedule = static_cast<std::size_t>(it - book_.schedules.begin());
      }
    } else if (!v["schedule"].isNull()) {
      notFor("schedule", "away");
    }
    if (errors_.size() != errorsBefore) {
      return std::nullopt;
    }
    return rule;
  }

  std::optional<FaqEntry> parseFaqEntry(const sdk::ConfigValue& v, const std::string& path) {
    const auto errorsBefore = errors_.size();
    FaqEntry e;
    e.id = v["id"].asString();
    e.source = path;
    if (!validName(e.id)) {
      fail(path + ".id", "\"" + e.id + "\": an FAQ id uses letters, digits, '_', '-' and '.' (at most 64)");
    }
    e.questions = stringList(v["questions"]);
    if (e.questions.empty()) {
      fail(path + ".questions", "give at least one question");
    }
    for (std::size_t i = 0; i < e.questions.size(); ++i) {
      if (foldText(e.questions[i]).empty()) {
        fail(path + ".questions[" + std::to_string(i) + "]", "has no letters or digits");
      }
    }
    const bool hasAnswer = !v["answer"].isNull();
    const bool hasReply = replyGiven(v["reply"]);
    if (hasAnswer == hasReply) {
      fail(path, "give either answer or reply");
    } else if (hasAnswer) {
      if (auto t = parseText(v["answer"].asString(), ParamScope::Plain, path + ".answer")) {
        e.reply.text = std::move(*t);
      }
    } else if (auto r = parseReply(v["reply"], ParamScope::Plain, path + ".reply")) {
      e.reply = std::move(*r);
    }
    if (errors_.size() != errorsBefore) {
      return std::nullopt;
    }
    return e;
  }

  void parseFaq(const sdk::ConfigValue& v) {
    auto& s = book_.faqSettings;
    s.priority = static_cast<int>(v["priority"].asInt(10));
    s.threshold = v["threshold"].asDouble(0.5);
    s.continueAfter = v["continue"].asBool(false);
    s.accounts = stringList(v["accounts"]);
    for (const auto& w : stringList(v["stopwords"])) {
      if (auto folded = foldText(w); !folded.empty()) {
        s.stopwords.push_back(std::move(folded));
      }
    }
    const auto& entries = v["entries"].asList();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const auto path = "faq.entries[" + std::to_string(i) + "]";
      if (auto e = parseFaqEntry(entries[i], path)) {
        if (std::any_of(book_.faq.begin(), book_.faq.end(), [&](const FaqEntry& x) { return x.id == e->id; })) {
          fail(path + ".id", "\"" + e->id + "\" is already used by another entry");
          continue;
        }
        book_.faq.push_back(std::move(*e));
      }
    }
    if (replyGiven(v["fallback"])) {
      s.fallback = parseReply(v["fallback"], ParamScope::Plain, "faq.fallback");
    }
  }

  void parseRules(const sdk::ConfigValue& list) {
    std::map<std::string, std::string> seen;
    for (std::size_t i = 0; i < list.asList().size(); ++i) {
      const auto path = "rules[" + std::to_string(i) + "]";
      auto rule = parseRule(list.asList()[i], path);
      if (!rule) {
        continue;
      }
      if (auto it = seen.find(rule->name); it != seen.end()) {
        fail(path + ".name", "\"" + rule->name + "\" is already used by " + it->second);
        continue;
      }
      seen.emplace(rule->name, path);
      book_.rules.push_back(std::move(*rule));
    }
  }

 private:
  RuleBook& book_;
  std::vector<std::string> errors_;
};

}  // namespace

const char* toString(RuleKind kind) {
  switch (kind) {
    case RuleKind::Keyword: return "keyword";
    case RuleKind::Regex: return "regex";
    case RuleKind::Greeting: return "greeting";
    case RuleKind::Away: return "away";
  }
  return "unknown";
}

std::optional<Millis> parseDuration(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    ++i;
  }
  if (i == 0 || i > 12) {
    return std::nullopt;
  }
  const long long n = std::stoll(text.substr(0, i));
  const auto unit = text.substr(i);
  if (unit.empty() || unit == "ms") {
    return Millis(n);
  }
  if (unit == "s") {
    return Millis(n * 1000);
  }
  if (unit == "m") {
    return Millis(n * 60'000);
  }
  if (unit == "h") {
    return Millis(n * 3'600'000);
  }
  if (unit == "d") {
    return Millis(n * 86'400'000);
  }
  return std::nullopt;
}

Settings parseSettings(const sdk::ConfigValue& c) {
  Settings s;
  s.accounts = stringList(c["accounts"]);
  s.replyInGroups = c["reply_in_groups"].asBool(false);
  s.replyToBroadcasts = c["reply_to_broadcasts"].asBool(false);
  s.quoteMessage = c["quote_message"].asBool(false);
  s.humanOverride = c["human_override"].isNull() ? s.humanOverride : c["human_override"].asDuration();
  s.quietWhenAssigned = c["quiet_when_assigned"].asBool(false);
  s.maxRepliesPerMessage = static_cast<int>(c["max_replies_per_message"].asInt(s.maxRepliesPerMessage));
  s.maxTextBytes = static_cast<std::size_t>(c["max_text_bytes"].asInt(static_cast<std::int64_t>(s.maxTextBytes)));
  s.refresh = c["refresh"].isNull() ? s.refresh : c["refresh"].asDuration();
  const auto& r = c["rate_limit"];
  s.rateLimit.conversationReplies = static_cast<int>(r["conversation_replies"].asInt(s.rateLimit.conversationReplies));
  s.rateLimit.accountReplies = static_cast<int>(r["account_replies"].asInt(s.rateLimit.accountReplies));
  if (!r["conversation_window"].isNull()) {
    s.rateLimit.conversationWindow = r["conversation_window"].asDuration();
  }
  if (!r["account_window"].isNull()) {
    s.rateLimit.accountWindow = r["account_window"].asDuration();
  }
  const auto& l = c["loop"];
  if (!l["fast_reply"].isNull()) {
    s.loop.fastReply = l["fast_reply"].asDuration();
  }
  s.loop.maxFastReplies = static_cast<int>(l["max_fast_replies"].asInt(s.loop.maxFastReplies));
  s.loop.maxRepeats = static_cast<int>(l["max_repeats"].asInt(s.loop.maxRepeats));
  if (!l["repeat_window"].isNull()) {
    s.loop.repeatWindow = l["repeat_window"].asDuration();
  }
  if (!l["pause"].isNull()) {
    s.loop.pause = l["pause"].asDuration();
  }
  return s;
}

sdk::Result<RuleBook> parseRuleBook(const sdk::ConfigValue& config) {
  RuleBook book;
  BookReader reader(book);
  reader.parseTemplates(config["templates"]);
  reader.parseSchedules(config["schedules"]);
  const auto& quick = config["quick_replies"].asList();
  for (std::size_t i = 0; i < quick.size(); ++i) {
    reader.parseQuickReply(quick[i], "quick_replies[" + std::to_string(i) + "]", /*replace=*/false);
  }
  reader.parseRules(config["rules"]);
  reader.parseFaq(config["faq"]);
  if (!reader.errors().empty()) {
    return sdk::Error::permanent("config.invalid", join(reader.errors(), "; "));
  }
  return book;
}

std::vector<std::string> mergeStoredItems(RuleBook& book, const StoredItems& items) {
  BookReader reader(book);
  auto load = [&](const std::string& path, const std::string& json,
                  const sdk::ConfigSchema& schema) -> std::optional<sdk::ConfigValue> {
    auto raw = parseJsonValue(json);
    if (!raw.ok()) {
      reader.fail(path, raw.error().message);
      return std::nullopt;
    }
    std::vector<std::string> errors;
    auto value = applySchema(raw.value(), schema, path, errors);
    for (auto& e : errors) {
      reader.errors().push_back(std::move(e));
    }
    return errors.empty() ? std::optional<sdk::ConfigValue>(std::move(value)) : std::nullopt;
  };
  for (const auto& [name, json] : items.quickReplies) {
    const auto path = "state quick_replies/" + name;
    if (auto v = load(path, json, quickReplySchema())) {
      if ((*v)["name"].asString() != name) {
        reader.fail(path + ".name", "\"" + (*v)["name"].asString() + "\" differs from the key's name \"" + name + "\"");
        continue;
      }
      reader.parseQuickReply(*v, path, /*replace=*/true);
    }
  }
  for (const auto& [name, json] : items.rules) {
    const auto path = "state rules/" + name;
    auto v = load(path, json, ruleSchema());
    if (!v) {
      continue;
    }
    if ((*v)["name"].asString() != name) {
      reader.fail(path + ".name", "\"" + (*v)["name"].asString() + "\" differs from the key's name \"" + name + "\"");
      continue;
    }
    if (auto rule = reader.parseRule(*v, path)) {
      auto it = std::find_if(book.rules.begin(), book.rules.end(), [&name = name](const Rule& r) { return r.name == name; });
      if (it != book.rules.end()) {
        *it = std::move(*rule);
      } else {
        book.rules.push_back(std::move(*rule));
      }
    }
  }
  for (const auto& [id, json] : items.faq) {
    const auto path = "state faq/" + id;
    auto v = load(path, json, faqEntrySchema());
    if (!v) {
      continue;
    }
    if ((*v)["id"].asString() != id) {
      reader.fail(path + ".id", "\"" + (*v)["id"].asString() + "\" differs from the key's id \"" + id + "\"");
      continue;
    }
    if (auto entry = reader.parseFaqEntry(*v, path)) {
      auto it = std::find_if(book.faq.begin(), book.faq.end(), [&id = id](const FaqEntry& e) { return e.id == id; });
      if (it != book.faq.end()) {
        *it = std::move(*entry);
      } else {
        book.faq.push_back(std::move(*entry));
      }
    }
  }
  return std::move(reader.errors());
}

}  // namespace switchboard::autoresponder
