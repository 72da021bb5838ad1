#pragma once

// What the auto-responder knows: its settings, and the rule book (rules, FAQ, quick replies,
// templates, schedules) parsed from the YAML configuration and from the rules operators store
// through the admin API. Everything here is checked when it is read; the engine never meets a
// rule it cannot run.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "business_hours.hpp"
#include "keyword_matcher.hpp"
#include "regex_pattern.hpp"
#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/result.hpp"
#include "text_template.hpp"

namespace switchboard::autoresponder {

using Millis = std::chrono::milliseconds;

enum class RuleKind { Keyword, Regex, Greeting, Away };
const char* toString(RuleKind kind);

struct MediaReply {
  std::string ref;       ///< File path or URL the connector sends.
  std::string mimeType;
  std::string fileName;
  TextTemplate caption;
};

/// What a rule answers: text (inline or a named template) and/or media.
struct ReplySpec {
  std::optional<TextTemplate> text;           ///< Inline text (a template itself).
  std::string templateName;                   ///< Or a named template: `templates` or the tenant's storage.
  std::map<std::string, std::string> params;  ///< Fixed parameters for the template.
  std::optional<MediaReply> media;
};

struct Rule {
  std::string name;
  std::string source;             ///< Where it was defined, for messages: "rules[2]" or "state rules/x".
  RuleKind kind = RuleKind::Keyword;
  int priority = 0;
  bool enabled = true;
  bool continueAfter = false;     ///< Let lower-priority rules answer the same message too.
  std::vector<std::string> accounts, teams;
  std::vector<std::vector<std::string>> exclude;  ///< Folded phrases (as words) that veto the rule.
  Millis cooldown{0};             ///< Per conversation.
  ReplySpec reply;
  // keyword
  KeywordMode mode = KeywordMode::Any;
  std::vector<std::string> keywords;  ///< Folded.
  // regex
  std::optional<RegexPattern> regex;
  // greeting
  bool onNewConversation = true;
  Millis returningAfter{0};
  // away
  std::size_t schedule = 0;       ///< Index into RuleBook::schedules.
};

struct FaqEntry {
  std::string id;
  std::string source;
  std::vector<std::string> questions;  ///< As written (folded when indexed).
  ReplySpec reply;
};

struct FaqSettings {
  int priority = 10;
  double threshold = 0.5;
  bool continueAfter = false;
  std::vector<std::string> accounts;
  std::vector<std::string> stopwords;  ///< Folded; empty: built-in English list.
  std::optional<ReplySpec> fallback;
};

struct RuleBook {
  std::vector<Rule> rules;
  std::vector<FaqEntry> faq;
  FaqSettings faqSettings;
  std::map<std::string, ReplySpec> quickReplies;
  std::map<std::string, TextTemplate> templates;
  std::vector<BusinessHours> schedules;
};

struct RateLimitSettings {
  int conversationReplies = 5;
  Millis conversationWindow{10 * 60 * 1000};
  int accountReplies = 300;
  Millis accountWindow{60 * 1000};
};

struct LoopSettings {
  Millis fastReply{3000};     ///< A reply to us within this delay looks machine-made (0: off).
  int maxFastReplies = 3;     ///< That many in a row and the conversation is a loop.
  int maxRepeats = 3;         ///< The same text this often within repeatWindow is a loop (0: off).
  Millis repeatWindow{10 * 60 * 1000};
  Millis pause{60 * 60 * 1000};  ///< How long the bot stays quiet in a looping conversation.
};

struct Settings {
  std::vector<std::string> accounts;  ///< Empty: every account.
  bool replyInGroups = false;
  bool replyToBroadcasts = false;
  bool quoteMessage = false;
  Millis humanOverride{30 * 60 * 1000};
  bool quietWhenAssigned = false;
  int maxRepliesPerMessage = 2;
  std::size_t maxTextBytes = 4096;
  Millis refresh{10 * 1000};
  RateLimitSettings rateLimit;
  LoopSettings loop;
};

/// Reads the settings from the validated configuration.
Settings parseSettings(const sdk::ConfigValue& config);

/// Reads the rule book from the validated configuration. Every problem is reported (not just the
/// first) with its key path, e.g. `rules[2].pattern: invalid regular expression: ...`.
sdk::Result<RuleBook> parseRuleBook(const sdk::ConfigValue& config);

/// Items operators stored through the admin API (see README "Admin API state"), each a JSON text.
struct StoredItems {
  std::vector<std::pair<std::string, std::string>> rules;         ///< name, JSON
  std::vector<std::pair<std::string, std::string>> faq;           ///< id, JSON
  std::vector<std::pair<std::string, std::string>> quickReplies;  ///< name, JSON
};

/// Adds stored items to `book`: a stored rule replaces a configured one of the same name, a stored
/// FAQ entry or quick reply one of the same id or name. An invalid item is left out and described
/// in the returned list; the others still apply.
std::vector<std::string> mergeStoredItems(RuleBook& book, const StoredItems& items);

/// Parses a duration: an integer of milliseconds or a number with ms, s, m, h or d.
std::optional<Millis> parseDuration(const std::string& text);

}  // namespace switchboard::autoresponder
