// Configuration: the host's validator applies the plugin's schema (unknown keys, types, allowed
// values); the plugin then checks what a schema cannot (patterns, names, references, time zones)
// and reports every problem with its key path. Stored JSON items go through the same checks.

#include <gtest/gtest.h>

#include "rule_book.hpp"
#include "test_support.hpp"

namespace ar = switchboard::autoresponder;
using ar::test::bookFromYaml;
using ar::test::configFromYaml;

namespace {

std::string allErrors(const std::vector<std::string>& errors) {
  std::string out;
  for (const auto& e : errors) {
    out += e + "\n";
  }
  return out;
}

bool mentions(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace

TEST(AutoresponderConfig, DefaultsAreFilledIn) {
  auto settings = ar::parseSettings(configFromYaml("{}"));
  EXPECT_EQ(settings.humanOverride.count(), 30 * 60 * 1000);
  EXPECT_EQ(settings.rateLimit.conversationReplies, 5);
  EXPECT_EQ(settings.loop.maxFastReplies, 3);
  EXPECT_FALSE(settings.replyInGroups);
  auto book = bookFromYaml("{}");
  ASSERT_TRUE(book.ok());
  EXPECT_TRUE(book->rules.empty());
  EXPECT_DOUBLE_EQ(book->faqSettings.threshold, 0.5);
}

TEST(AutoresponderConfig, SchemaErrorsComeFromTheValidatorWithTheirKey) {
  auto errors = ar::test::validatorErrors(R"(
rules:
  - name: a
    kind: keywrd
    keywords: [x]
    reply: {text: hi}
  - name: b
    kind: keyword
    keywords: [x]
    reply: {txt: hi}
rate_limit: {conversation_replies: 0}
loop: {fast_reply: soon}
)");
  const auto text = allErrors(errors);
  EXPECT_TRUE(mentions(text, "rules[0].kind: unknown value \"keywrd\" (did you mean \"keyword\"?)")) << text;
  EXPECT_TRUE(mentions(text, "rules[1].reply.txt: unknown key")) << text;
  EXPECT_TRUE(mentions(text, "rate_limit.conversation_replies: value out of range")) << text;
  EXPECT_TRUE(mentions(text, "loop.fast_reply")) << text;
}

TEST(AutoresponderConfig, SemanticErrorsAllReportedWithKeyPaths) {
  auto book = bookFromYaml(R"(
schedules:
  - name: office
    time_zone: Europe/Berln
    hours: [{days: [mon, funday], from: "09:00", to: "25:00"}]
    holidays: [Christmas]
templates:
  bad: "Hello {{name"
quick_replies:
  - name: prices
    text: "See {{contact.name}}"
rules:
  - name: order
    kind: regex
    pattern: "order (\\d+"
    reply: {text: "Order {{match.1}}"}
  - name: hello
    kind: keyword
    keywords: ["hello", "!!!"]
    pattern: "x"
    reply: {text: "Hi {{match.1}} {{foo.bar}}"}
  - name: closed
    kind: away
    schedule: nights
    reply: {quick_reply: pricez}
  - name: hello
    kind: greeting
    new_conversation: false
    reply: {text: "hi", template: bad}
  - name: "bad name!"
    kind: keyword
    keywords: [a]
    reply: {media: {caption: "x"}}
faq:
  entries:
    - {id: hours, questions: ["???"], answer: "9 to 5"}
    - {id: hours, questions: ["when"], answer: "x", reply: {text: y}}
)");
  ASSERT_FALSE(book.ok());
  EXPECT_EQ(book.error().code, "config.invalid");
  const auto& msg = book.error().message;
  for (const char* expected : {
           "schedules[0].time_zone: unknown time zone \"Europe/Berln\"",
           "schedules[0].hours[0].days[1]: \"funday\" is not a day",
           "schedules[0].hours[0].to: \"25:00\" is not a time of day",
           "schedules[0].holidays[0]: \"Christmas\" is not a date",
           "templates.bad: \"{{\" at byte 6 is never closed",
           "rules[0].pattern: invalid regular expression",
           "rules[1].keywords[1]: \"!!!\" has no letters or digits",
           "rules[1].pattern: only regex rules take this key",
           "rules[1].reply.text: {{match.1}} only has a value in regex rules",
           "rules[1].reply.text: {{foo.bar}}: unknown parameter namespace \"foo\"",
           "rules[2].schedule: unknown schedule \"nights\" (none defined)",
           "rules[2].reply.quick_reply: unknown quick reply \"pricez\" (known: prices)",
           "rules[3]: a greeting with new_conversation false needs returning_after",
           "rules[3].reply: give text or template, not both",
           "rules[4].name: \"bad name!\"",
           "rules[4].reply.media.ref: required when media is given",
           "faq.entries[0].questions[0]: has no letters or digits",
           "faq.entries[1]: give either answer or reply",
       }) {
    EXPECT_TRUE(mentions(msg, expected)) << "missing: " << expected << "\nin: " << msg;
  }
}

TEST(AutoresponderConfig, DuplicateNamesAreRefused) {
  auto book = bookFromYaml(R"(
rules:
  - {name: a, kind: keyword, keywords: [x], reply: {text: one}}
  - {name: a, kind: keyword, keywords: [y], reply: {text: two}}
)");
  ASSERT_FALSE(book.ok());
  EXPECT_TRUE(mentions(book.error().message, "rules[1].name: \"a\" is already used by rules[0]")) << book.error().message;
}

TEST(AutoresponderConfig, KindDefaultsAndMedia) {
  auto book = bookFromYaml(R"(
schedules:
  - name: office
    time_zone: UTC
    hours: [{days: [weekdays], from: "09:00", to: "17:00"}]
rules:
  - {name: away, kind: away, schedule: office, reply: {text: "Back {{hours.next_open}}"}}
  - {name: hi, kind: greeting, reply: {text: "Welcome"}}
  - {name: menu, kind: keyword, keywords: [menu], reply: {media: {ref: /srv/menu.PDF, caption: "Our menu"}}}
  - {name: pic, kind: keyword, keywords: [photo], reply: {text: "Here", media: {ref: "https://x.example/p.jpg?s=1"}}}
)");
  ASSERT_TRUE(book.ok()) << book.error().message;
  const auto& r = book->rules;
  EXPECT_EQ(r[0].priority, 300);
  EXPECT_EQ(r[0].cooldown.count(), 4 * 3600 * 1000);
  EXPECT_EQ(r[1].priority, 200);
  EXPECT_TRUE(r[1].onNewConversation);
  EXPECT_EQ(r[2].priority, 100);
  EXPECT_EQ(r[2].reply.media->mimeType, "application/pdf");
  EXPECT_EQ(r[3].reply.media->mimeType, "image/jpeg");
}

TEST(AutoresponderConfig, StoredItemsUseTheSameChecks) {
  auto book = bookFromYaml(R"(
quick_replies: [{name: hours, text: "9 to 5"}]
rules:
  - {name: pricing, kind: keyword, keywords: [price], reply: {text: "old"}}
)");
  ASSERT_TRUE(book.ok()) << book.error().message;
  ar::StoredItems items;
  items.rules = {
      {"pricing", R"({"name":"pricing","kind":"keyword","keywords":["price"],"reply":{"text":"new"}})"},
      {"promo", R"({"name":"promo","kind":"keyword","keywords":"promo","cooldown":"1h","reply":{"quick_reply":"deal"}})"},
      {"broken", R"({"name":"broken","kind":"regex","pattern":"(","reply":{"text":"x"}})"},
      {"typo", R"({"name":"typo","kind":"keyword","keywords":["a"],"replyy":{"text":"x"}})"},
      {"notjson", "{name: yaml}"},
      {"renamed", R"({"name":"other","kind":"keyword","keywords":["a"],"reply":{"text":"x"}})"},
  };
  items.quickReplies = {{"deal", R"({"name":"deal","text":"10% off today"})"}};
  items.faq = {{"ship", R"({"id":"ship","questions":["Do you ship abroad?"],"answer":"Yes"})"}};
  const auto errors = ar::mergeStoredItems(*book, items);
  const auto text = allErrors(errors);
  EXPECT_EQ(errors.size(), 4u) << text;
  EXPECT_TRUE(mentions(text, "state rules/broken.pattern: invalid regular expression")) << text;
  EXPECT_TRUE(mentions(text, "state rules/typo.replyy: unknown key")) << text;
  EXPECT_TRUE(mentions(text, "state rules/notjson: not valid JSON")) << text;
  EXPECT_TRUE(mentions(text, "state rules/renamed.name: \"other\" differs")) << text;
  ASSERT_EQ(book->rules.size(), 2u);
  EXPECT_EQ(book->rules[0].name, "pricing");
  EXPECT_EQ(book->rules[0].reply.text->source(), "new") << "a stored rule replaces the configured one";
  EXPECT_EQ(book->rules[1].name, "promo");
  EXPECT_EQ(book->rules[1].cooldown.count(), 3'600'000);
  EXPECT_EQ(book->rules[1].reply.text->source(), "10% off today");
  ASSERT_EQ(book->faq.size(), 1u);
  EXPECT_EQ(book->faq[0].id, "ship");
}

TEST(AutoresponderConfig, DurationsParse) {
  EXPECT_EQ(ar::parseDuration("250ms")->count(), 250);
  EXPECT_EQ(ar::parseDuration("90s")->count(), 90'000);
  EXPECT_EQ(ar::parseDuration("2d")->count(), 172'800'000);
  EXPECT_EQ(ar::parseDuration("1500")->count(), 1500);
  EXPECT_FALSE(ar::parseDuration("soon"));
  EXPECT_FALSE(ar::parseDuration("5 m"));
  EXPECT_FALSE(ar::parseDuration("9999999999999s"));
}
