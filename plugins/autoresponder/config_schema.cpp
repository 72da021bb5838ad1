#include "config_schema.hpp"

#include <chrono>

namespace switchboard::autoresponder {
namespace {

namespace field = sdk::field;
using namespace std::chrono_literals;

// A key without a default: absent stays null, so the reader can tell "not given" apart and
// apply the default of the rule's kind.
field::Builder optionalOf(std::string name, sdk::ConfigType type, std::string description) {
  return field::make(std::move(name), type, std::move(description), std::nullopt);
}

sdk::ConfigSchema mediaSchema() {
  return {{
      field::string("ref", "File path or URL of the media to send"),
      field::string("mime_type", "MIME type; guessed from the file name's extension when absent"),
      field::string("file_name", "File name shown to the recipient (documents)"),
      field::string("caption", "Caption, a template like `text`"),
  }};
}

}  // namespace

sdk::ConfigSchema replySchema() {
  return {{
      field::string("text", "Reply text; may use {{parameters}}"),
      field::string("template", "Name of a template (`templates`, or the tenant's stored templates)"),
      field::string("quick_reply", "Name of a quick reply to send"),
      field::stringMap("params", "Fixed values for template parameters"),
      field::object("media", "An image, document, video or audio file to send", mediaSchema()),
  }};
}

sdk::ConfigSchema quickReplySchema() {
  sdk::ConfigSchema quickReply = replySchema();
  quickReply.fields.insert(quickReply.fields.begin(), field::string("name", "Name rules refer to").required());
  return quickReply;
}

sdk::ConfigSchema ruleSchema() {
  return {{
      field::string("name", "Unique name; the origin of replies is <instance>/<name>").required(),
      field::string("kind", "What triggers the rule").required().oneOf({"keyword", "regex", "greeting", "away"}),
      optionalOf("priority", sdk::ConfigType::Int, "Higher first; default: away 300, greeting 200, others 100")
          .range(-1'000'000, 1'000'000),
      field::boolean("enabled", "Off: the rule is kept but never fires", true),
      field::boolean("continue", "After this rule, lower-priority rules may answer too", false),
      field::stringList("accounts", "Only for these accounts (empty: all)"),
      field::stringList("teams", "Only in conversations of these teams (empty: all)"),
      field::stringList("exclude", "Words or phrases that stop the rule from firing"),
      optionalOf("cooldown", sdk::ConfigType::Duration, "Fire at most once per conversation in this time; "
                                                         "default: away 4h, others 0")
          .range(0, 365 * 86'400'000.0),
      field::object("reply", "What to answer", replySchema()),
      field::stringList("keywords", "keyword: words or phrases"),
      optionalOf("match", sdk::ConfigType::String, "keyword: any (default), all, exact or contains")
          .oneOf({"any", "all", "exact", "contains"}),
      field::string("pattern", "regex: a PCRE2 regular expression, matched against the message text"),
      field::boolean("case_sensitive", "regex: match case exactly", false),
      optionalOf("new_conversation", sdk::ConfigType::Bool, "greeting: fire on a conversation's first message "
                                                             "(default true)"),
      optionalOf("returning_after", sdk::ConfigType::Duration,
                 "greeting: fire when the previous message is at least this old (default: never)")
          .range(0, 3650 * 86'400'000.0),
      field::string("schedule", "away: name of the schedule outside of which the rule fires"),
  }};
}

sdk::ConfigSchema faqEntrySchema() {
  return {{
      field::string("id", "Unique id; the origin of replies is <instance>/faq:<id>").required(),
      field::stringList("questions", "Ways the question is asked").required(),
      field::string("answer", "Answer text (a template), or give `reply`"),
      field::object("reply", "Answer as a full reply (text, template, media)", replySchema()),
  }};
}

sdk::ConfigSchema configSchema() {
  sdk::ConfigSchema rateLimit{{
      field::integer("conversation_replies", "Automatic replies allowed per conversation per window", 5)
          .range(1, 1000),
      field::duration("conversation_window", "Window of conversation_replies", 10min).range(1000, 7 * 86'400'000.0),
      field::integer("account_replies", "Automatic replies allowed per account per window", 300).range(1, 1'000'000),
      field::duration("account_window", "Window of account_replies", 1min).range(1000, 86'400'000),
  }};
  sdk::ConfigSchema loop{{
      field::duration("fast_reply", "An answer to our reply within this delay looks machine-made (0: off)", 3s)
          .range(0, 600'000),
      field::integer("max_fast_replies", "Machine-fast answers in a row that make a loop", 3).range(1, 100),
      field::integer("max_repeats", "The same text this often within repeat_window makes a loop (0: off)", 3)
          .range(0, 100),
      field::duration("repeat_window", "Window of max_repeats", 10min).range(1000, 86'400'000),
      field::duration("pause", "How long the bot stays quiet in a conversation found looping", 1h)
          .range(1000, 30 * 86'400'000.0),
  }};
  sdk::ConfigSchema hours{{
      field::stringList("days", "Weekdays: sun..sat, monday.., weekdays, weekend or daily").required(),
      field::string("from", "Opening time, HH:MM").required(),
      field::string("to", "Closing time, HH:MM (24:00 = midnight; earlier than `from` = next day)").required(),
  }};
  sdk::ConfigSchema schedule{{
      field::string("name", "Name rules refer to").required(),
      field::string("time_zone", "IANA time zone, e.g. Europe/Berlin").required(),
      field::objectList("hours", "Opening intervals (none: always closed)", hours),
      field::stringList("holidays", "Closed dates: YYYY-MM-DD, MM-DD (yearly) or FIRST..LAST"),
  }};
  sdk::ConfigSchema faq{{
      field::integer("priority", "Priority of FAQ answers among the rules", 10).range(-1'000'000, 1'000'000),
      field::real("threshold", "Confidence (0..1) an answer needs", 0.5).range(0, 1),
      field::boolean("continue", "After an FAQ answer, lower-priority rules may answer too", false),
      field::stringList("accounts", "Only for these accounts (empty: all)"),
      field::stringList("stopwords", "Words ignored when comparing (empty: a built-in English list)"),
      field::objectList("entries", "Questions and answers", faqEntrySchema()),
      field::object("fallback", "Sent when nothing else answers and no entry is confident (optional)",
                    replySchema()),
  }};

  return {{
      field::stringList("accounts", "Accounts this instance answers for (empty: all)"),
      field::boolean("reply_in_groups", "Answer in group chats", false),
      field::boolean("reply_to_broadcasts", "Answer status updates and broadcast-list messages", false),
      field::boolean("quote_message", "Quote the message being answered", false),
      field::duration("human_override", "Quiet time in a conversation after a person replied (0: off)", 30min)
          .range(0, 30 * 86'400'000.0),
      field::boolean("quiet_when_assigned", "Stay quiet in conversations assigned to an agent", false),
      field::integer("max_replies_per_message", "Replies one message may get (rules with `continue`)", 2)
          .range(1, 5),
      field::integer("max_text_bytes", "How much of a message the rules read", 4096).range(64, 65536),
      field::duration("refresh", "How often stored rules are checked for changes", 10s).range(1000, 3'600'000),
      field::object("rate_limit", "Replies allowed per conversation and per account", rateLimit),
      field::object("loop", "Detection of two bots answering each other", loop),
      field::objectList("schedules", "Business hours for away rules", schedule),
      field::stringMap("templates", "Named reply templates: name -> text with {{parameters}}"),
      field::objectList("quick_replies", "Named canned replies rules refer to", quickReplySchema()),
      field::objectList("rules", "Keyword, regex, greeting and away rules", ruleSchema()),
      field::object("faq", "Answers chosen by similarity to known questions", faq),
  }};
}

}  // namespace switchboard::autoresponder
