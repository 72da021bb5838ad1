// The rule engine, one rule kind at a time and together: keyword, regex, greeting (new and
// returning), away (with the schedule in the text), FAQ with threshold and fallback, quick
// replies, templates, media; then priorities, `continue`, filters and cooldowns.

#include <gtest/gtest.h>

#include "rule_engine.hpp"
#include "test_support.hpp"

namespace ar = switchboard::autoresponder;
namespace sdk = switchboard::sdk;
using ar::test::utc;

namespace {

constexpr long kDay = 86'400'000;

class AutoresponderEngine : public ::testing::Test {
 protected:
  void load(const std::string& yaml, int maxReplies = 2) {
    auto book = ar::test::bookFromYaml(yaml);
    ASSERT_TRUE(book.ok()) << book.error().message;
    engine_ = std::make_unique<ar::RuleEngine>(std::move(book).value(), 4096, maxReplies);
  }

  ar::Decision decide(const std::string& text, sdk::TimestampMs now = utc(2024, 1, 15, 10),
                      std::optional<sdk::TimestampMs> previous = utc(2024, 1, 15, 9)) {
    message_ = ar::test::textMessage(text);
    conversation_ = ar::test::conversationFor(message_);
    ar::Situation s;
    s.message = &message_;
    s.conversation = &conversation_;
    s.now = now;
    s.previousActivity = previous;
    s.team = team_;
    s.contact = [this]() -> const sdk::Contact* { return contact_ ? &*contact_ : nullptr; };
    s.coolingDown = [this](const std::string& rule, ar::Millis) { return cooling_.count(rule) != 0; };
    s.storedTemplate = [this](const std::string& name) -> std::optional<std::string> {
      auto it = stored_.find(name);
      return it == stored_.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    return engine_->decide(s);
  }

  static std::vector<std::string> rules(const ar::Decision& d) {
    std::vector<std::string> out;
    for (const auto& r : d.replies) {
      out.push_back(r.rule);
    }
    return out;
  }

  std::unique_ptr<ar::RuleEngine> engine_;
  sdk::InboundMessage message_;
  sdk::Conversation conversation_;
  std::optional<sdk::Contact> contact_;
  std::string team_;
  std::set<std::string> cooling_;
  std::map<std::string, std::string> stored_;
};

const char* kMixed = R"(
schedules:
  - name: office
    time_zone: Europe/Berlin
    hours: [{days: [weekdays], from: "09:00", to: "17:00"}]
quick_replies:
  - {name: prices, text: "Plans start at 10 EUR, {{contact.first_name|friend}}."}
rules:
  - {name: closed, kind: away, schedule: office, reply: {text: "We are closed; back {{hours.next_open}}."}}
  - {name: welcome, kind: greeting, returning_after: 30d, continue: true, reply: {text: "Welcome, {{contact.name|there}}!"}}
  - {name: pricing, kind: keyword, keywords: [price, "how much"], exclude: [refund], reply: {quick_reply: prices}}
  - {name: order, kind: regex, pattern: 'order\s*#?(\d{4,8})', reply: {text: "Looking up order {{match.1}}."}}
faq:
  threshold: 0.5
  entries:
    - {id: hours, questions: ["What are your opening hours?", "When are you open?"], answer: "9 to 5, Monday to Friday."}
    - {id: shipping, questions: ["Do you ship abroad?"], answer: "We ship to the EU."}
  fallback: {text: "An agent will answer soon."}
)";

}  // namespace

TEST_F(AutoresponderEngine, KeywordRuleAnswersWithItsQuickReply) {
  load(kMixed);
  auto d = decide("What's the PRICE?");
  ASSERT_EQ(rules(d), std::vector<std::string>{"pricing"});
  EXPECT_EQ(d.replies[0].kind, "keyword");
  EXPECT_EQ(d.replies[0].text, "Plans start at 10 EUR, Dana.") << "first name from the push name";
  EXPECT_EQ(rules(decide("how much is it")), std::vector<std::string>{"pricing"});
  EXPECT_EQ(rules(decide("price of a refund")), std::vector<std::string>{"faq:fallback"}) << "excluded";
}

TEST_F(AutoresponderEngine, RegexRuleFillsCaptures) {
  load(kMixed);
  auto d = decide("where is my Order #00123456");
  ASSERT_EQ(rules(d), std::vector<std::string>{"order"});
  EXPECT_EQ(d.replies[0].text, "Looking up order 00123456.");
}

TEST_F(AutoresponderEngine, GreetingOnNewAndReturningConversationsOnly) {
  load(kMixed);
  contact_ = sdk::Contact{};
  contact_->id = "ct_1";
  contact_->name = "Fox Mulder";
  const auto now = utc(2024, 1, 15, 10);
  // New conversation: greeting (continue) then the keyword answer.
  auto fresh = decide("price?", now, std::nullopt);
  EXPECT_EQ(rules(fresh), (std::vector<std::string>{"welcome", "pricing"}));
  EXPECT_EQ(fresh.replies[0].text, "Welcome, Fox Mulder!");
  EXPECT_EQ(fresh.replies[0].kind, "greeting");
  // Returning after 31 days: greeted again; after 29 days: not.
  EXPECT_EQ(rules(decide("price?", now, now - 31 * kDay)), (std::vector<std::string>{"welcome", "pricing"}));
  EXPECT_EQ(rules(decide("price?", now, now - 29 * kDay)), std::vector<std::string>{"pricing"});
}

TEST_F(AutoresponderEngine, AwayOutsideBusinessHoursWithTheNextOpening) {
  load(kMixed);
  const auto saturday = utc(2024, 1, 20, 10);
  auto d = decide("price?", saturday);
  ASSERT_EQ(rules(d), std::vector<std::string>{"closed"}) << "away has the highest priority and does not continue";
  EXPECT_EQ(d.replies[0].text, "We are closed; back Mon 09:00.");
  EXPECT_EQ(d.replies[0].kind, "away");
  EXPECT_EQ(d.replies[0].cooldown.count(), 4 * 3600 * 1000);
  cooling_.insert("closed");
  EXPECT_EQ(rules(decide("price?", saturday)), std::vector<std::string>{"pricing"}) << "away is cooling down";
}

TEST_F(AutoresponderEngine, FaqAboveThresholdElseFallback) {
  load(kMixed);
  auto d = decide("when are you open on saturday?");
  ASSERT_EQ(rules(d), std::vector<std::string>{"faq:hours"});
  EXPECT_EQ(d.replies[0].kind, "faq");
  EXPECT_EQ(d.replies[0].text, "9 to 5, Monday to Friday.");
  ASSERT_TRUE(d.faqConfidence);
  EXPECT_GE(*d.faqConfidence, 0.5);
  auto unknown = decide("my parrot speaks latin");
  EXPECT_EQ(rules(unknown), std::vector<std::string>{"faq:fallback"});
  EXPECT_EQ(unknown.replies[0].kind, "fallback");
  EXPECT_EQ(unknown.replies[0].text, "An agent will answer soon.");
}

TEST_F(AutoresponderEngine, FallbackOnlyWhenNothingElseAnswers) {
  load(kMixed);
  EXPECT_EQ(rules(decide("order 1234 please")), std::vector<std::string>{"order"});
}

TEST_F(AutoresponderEngine, PrioritiesContinueAndTheReplyCap) {
  load(R"(
rules:
  - {name: low, kind: keyword, keywords: [x], priority: 1, reply: {text: low}}
  - {name: high, kind: keyword, keywords: [x], priority: 50, continue: true, reply: {text: high}}
  - {name: mid, kind: keyword, keywords: [x], priority: 10, continue: true, reply: {text: mid}}
  - {name: tie, kind: keyword, keywords: [x], priority: 10, reply: {text: tie}}
)", 3);
  EXPECT_EQ(rules(decide("x")), (std::vector<std::string>{"high", "mid", "tie"}));
  load(R"(
rules:
  - {name: a, kind: keyword, keywords: [x], continue: true, reply: {text: a}}
  - {name: b, kind: keyword, keywords: [x], continue: true, reply: {text: b}}
  - {name: c, kind: keyword, keywords: [x], reply: {text: c}}
)", 2);
  EXPECT_EQ(rules(decide("x")), (std::vector<std::string>{"a", "b"})) << "max_replies_per_message";
}

TEST_F(AutoresponderEngine, AccountTeamAndEnabledFilters) {
  load(R"(
rules:
  - {name: other, kind: keyword, keywords: [x], priority: 9, accounts: ["15550000000"], reply: {text: other}}
  - {name: sales, kind: keyword, keywords: [x], priority: 8, teams: [sales], reply: {text: sales}}
  - {name: off, kind: keyword, keywords: [x], priority: 7, enabled: false, reply: {text: off}}
  - {name: all, kind: keyword, keywords: [x], priority: 1, reply: {text: all}}
)");
  EXPECT_EQ(rules(decide("x")), std::vector<std::string>{"all"});
  team_ = "sales";
  EXPECT_EQ(rules(decide("x")), std::vector<std::string>{"sales"});
}

TEST_F(AutoresponderEngine, MissingTemplateParameterSkipsToTheNextRule) {
  load(R"(
templates:
  vip: "Hello {{contact.name}}, your manager {{contact.manager}} will call."
rules:
  - {name: vip, kind: keyword, keywords: [help], priority: 10, reply: {template: vip}}
  - {name: plain, kind: keyword, keywords: [help], priority: 1, reply: {text: "We will help."}}
)");
  contact_ = sdk::Contact{};
  contact_->id = "ct_1";
  contact_->name = "Fox";
  auto d = decide("help");
  EXPECT_EQ(rules(d), std::vector<std::string>{"plain"});
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].code, "template.missing_parameter");
  EXPECT_NE(d.errors[0].message.find("{{contact.manager}}"), std::string::npos) << d.errors[0].message;
  EXPECT_NE(d.errors[0].message.find("contact ct_1 has no manager"), std::string::npos) << d.errors[0].message;
  contact_->fields["manager"] = "Skinner";
  auto ok = decide("help");
  ASSERT_EQ(rules(ok), std::vector<std::string>{"vip"});
  EXPECT_EQ(ok.replies[0].text, "Hello Fox, your manager Skinner will call.");
}

TEST_F(AutoresponderEngine, StoredTemplatesAndTheirErrors) {
  load(R"(
rules:
  - {name: promo, kind: keyword, keywords: [promo], reply: {template: spring, params: {code: SPRING24}}}
)");
  auto missing = decide("promo");
  EXPECT_TRUE(missing.replies.empty());
  ASSERT_EQ(missing.errors.size(), 1u);
  EXPECT_EQ(missing.errors[0].code, "template.not_found");
  stored_["spring"] = "Use code {{code}} before {{until|Sunday}}";
  auto d = decide("promo");
  ASSERT_EQ(rules(d), std::vector<std::string>{"promo"});
  EXPECT_EQ(d.replies[0].text, "Use code SPRING24 before Sunday");
  stored_["spring"] = "Broken {{code";
  auto broken = decide("promo");
  ASSERT_EQ(broken.errors.size(), 1u);
  EXPECT_EQ(broken.errors[0].code, "template.syntax");
}

TEST_F(AutoresponderEngine, MediaReplies) {
  load(R"(
rules:
  - {name: menu, kind: keyword, keywords: [menu], reply: {text: "Menu for {{contact.first_name|you}}", media: {ref: /srv/menu.pdf, file_name: Menu.pdf}}}
  - {name: photo, kind: keyword, keywords: [photo], reply: {media: {ref: /srv/shop.jpg, caption: "Our shop"}}}
)");
  auto d = decide("menu");
  ASSERT_EQ(d.replies.size(), 1u);
  ASSERT_TRUE(d.replies[0].media);
  EXPECT_EQ(d.replies[0].media->ref, "/srv/menu.pdf");
  EXPECT_EQ(d.replies[0].media->mimeType, "application/pdf");
  EXPECT_EQ(d.replies[0].media->fileName, "Menu.pdf");
  EXPECT_EQ(d.replies[0].media->caption, "Menu for Dana");
  EXPECT_TRUE(d.replies[0].text.empty());
  auto p = decide("photo please");
  ASSERT_EQ(p.replies.size(), 1u);
  EXPECT_EQ(p.replies[0].media->mimeType, "image/jpeg");
  EXPECT_EQ(p.replies[0].media->caption, "Our shop");
}

TEST_F(AutoresponderEngine, CaptionOfAMediaMessageIsRead) {
  load(kMixed);
  message_ = ar::test::textMessage("");
  auto m = ar::test::textMessage("");
  m.kind = sdk::MessageKind::Image;
  m.media = sdk::Media{};
  m.media->caption = "price of this?";
  auto c = ar::test::conversationFor(m);
  ar::Situation s;
  s.message = &m;
  s.conversation = &c;
  s.now = utc(2024, 1, 15, 10);
  s.previousActivity = s.now - 1000;
  auto d = engine_->decide(s);
  EXPECT_EQ(rules(d), std::vector<std::string>{"pricing"});
}

TEST_F(AutoresponderEngine, ManyRegexRulesBehaveAsEachAlone) {
  // Joined into one filter (case-insensitive, case-sensitive, named groups twice) or not
  // (a backreference): each still fires exactly when its own pattern matches.
  load(R"(
rules:
  - {name: sku, kind: regex, priority: 5, pattern: '\bsku-?(?<n>\d{3})\b', reply: {text: "sku {{match.n}}"}}
  - {name: code, kind: regex, priority: 4, pattern: '\bCODE-(?<n>\d+)', case_sensitive: true, reply: {text: "code {{match.n}}"}}
  - {name: twice, kind: regex, priority: 3, pattern: '\b(\w+) \1\b', reply: {text: "you said {{match.1}} twice"}}
  - {name: alt, kind: regex, priority: 2, pattern: 'refund|money back', reply: {text: "refunds"}}
)", 1);
  EXPECT_EQ(rules(decide("is SKU-123 in stock")), std::vector<std::string>{"sku"});
  EXPECT_EQ(decide("is SKU-123 in stock").replies[0].text, "sku 123");
  EXPECT_EQ(rules(decide("my CODE-77 fails")), std::vector<std::string>{"code"});
  EXPECT_TRUE(decide("my code-77 fails").replies.empty() || rules(decide("my code-77 fails"))[0] != "code");
  EXPECT_EQ(rules(decide("hello hello")), std::vector<std::string>{"twice"});
  EXPECT_EQ(rules(decide("I want my MONEY BACK")), std::vector<std::string>{"alt"});
  EXPECT_TRUE(decide("nothing to see").replies.empty());
}

TEST_F(AutoresponderEngine, HostileTextNeverBreaksADecision) {
  // Random bytes, invalid UTF-8, long runs and template-looking text through every rule kind.
  load(kMixed);
  std::uint64_t seed = 12345;
  auto next = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<unsigned>(seed >> 33);
  };
  const std::vector<std::string> pieces = {"price", "ORDER #", "{{", "}}", "\xc3", "\xff", "é", "😀", " ", "12345678",
                                           "when are you open", std::string(300, 'a'), "\\", "(", "\0"};
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const auto parts = next() % 40;
    for (unsigned i = 0; i < parts; ++i) {
      if (next() % 3 == 0) {
        text += static_cast<char>(next() & 0xFF);
      } else {
        text += pieces[next() % pieces.size()];
      }
    }
    auto d = decide(text, utc(2024, 1, 15 + static_cast<unsigned>(next() % 7), static_cast<int>(next() % 24)),
                    next() % 2 ? std::optional<sdk::TimestampMs>() : utc(2023, 1, 1));
    for (const auto& r : d.replies) {
      EXPECT_FALSE(r.text.empty() && !r.media) << "a reply is never empty";
      EXPECT_LE(r.text.size(), 4096u);
    }
  }
}
