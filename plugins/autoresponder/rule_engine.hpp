#pragma once

// Decides what to answer to one message: which rules it triggers, in which order, and the reply
// text each produces. It is pure: no storage, no clock, no sending. What it needs from the world
// (the previous message's time, the contact, cooldowns, stored templates) comes in a Situation;
// safety (who may be answered, how often) is the caller's part. Built once per rule book and
// shared read-only, so a decision costs a fold of the text, one hash lookup per word for keyword
// rules, one bounded match per regex rule, and one inverted-index pass for the FAQ.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "faq_index.hpp"
#include "keyword_matcher.hpp"
#include "rule_book.hpp"
#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::autoresponder {

struct Situation {
  const sdk::InboundMessage* message = nullptr;
  const sdk::Conversation* conversation = nullptr;
  sdk::TimestampMs now = 0;
  /// Time of the newest earlier message of the conversation (either direction); nullopt: none.
  std::optional<sdk::TimestampMs> previousActivity;
  /// The conversation's team ("" when unknown), for rules limited to `teams`.
  std::string team;
  /// The conversation's contact, loaded on first use; null when there is none.
  std::function<const sdk::Contact*()> contact;
  /// Did `rule` already fire in this conversation within `cooldown`? (Absent: never.)
  std::function<bool(const std::string& rule, Millis cooldown)> coolingDown;
  /// A template body from the tenant's storage (absent or nullopt: none).
  std::function<std::optional<std::string>(const std::string& name)> storedTemplate;
};

struct PlannedReply {
  std::string rule;   ///< Rule name, "faq:<id>" or "faq:fallback": the origin suffix and command id part.
  std::string kind;   ///< keyword, regex, greeting, away, faq or fallback.
  std::string text;   ///< Empty for media (the caption travels with the media).
  std::optional<sdk::Media> media;
  Millis cooldown{0};
};

struct Decision {
  std::vector<PlannedReply> replies;
  std::vector<sdk::Error> errors;  ///< Replies not sent (a template parameter had no value, ...).
  std::optional<double> faqConfidence;
};

class RuleEngine {
 public:
  RuleEngine(RuleBook book, std::size_t maxTextBytes, int maxReplies);

  Decision decide(const Situation& situation) const;

  const RuleBook& book() const { return book_; }

 private:
  struct Candidate {
    int priority = 0;
    std::size_t order = 0;
    std::size_t rule = 0;  // index into book_.rules; kFaq for the FAQ
    Captures captures;
  };
  static constexpr std::size_t kFaq = static_cast<std::size_t>(-1);

  bool eligible(const Rule& rule, const Situation& s, const std::vector<std::string_view>& words) const;
  sdk::Result<PlannedReply> render(const ReplySpec& spec, const std::string& name, const Situation& s,
                                   const Captures* captures, const BusinessHours* schedule) const;

  RuleBook book_;
  std::size_t maxTextBytes_;
  int maxReplies_;
  KeywordMatcher keywords_;
  std::vector<std::size_t> regexRules_, greetingRules_, awayRules_;
  FaqIndex faq_;
};

}  // namespace switchboard::autoresponder
