// Templates: named parameters, fallbacks, syntax errors, and missing values, which stop the reply
// with an error naming the parameter instead of sending a message with a hole in it.

#include <gtest/gtest.h>

#include <map>

#include "reply_parameters.hpp"
#include "text_template.hpp"
#include "test_support.hpp"

namespace ar = switchboard::autoresponder;
namespace sdk = switchboard::sdk;

namespace {

ar::TextTemplate::Lookup from(const std::map<std::string, std::string>& values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

}  // namespace

TEST(AutoresponderTemplate, FillsNamedParameters) {
  auto t = ar::TextTemplate::parse("Hello {{ name }}, order {{order}} ships {{when|soon}}.");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->parameterNames(), (std::vector<std::string>{"name", "order", "when"}));
  auto out = t->render(from({{"name", "Dana"}, {"order", "A-17"}}), "test");
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out.value(), "Hello Dana, order A-17 ships soon.");
  auto explicitWhen = t->render(from({{"name", "Dana"}, {"order", "A-17"}, {"when", "today"}}), "test");
  EXPECT_EQ(explicitWhen.value(), "Hello Dana, order A-17 ships today.");
}

TEST(AutoresponderTemplate, EmptyFallbackIsAllowed) {
  auto t = ar::TextTemplate::parse("Hi{{ contact.first_name | }}!");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->render(from({}), "test").value(), "Hi!");
}

TEST(AutoresponderTemplate, MissingParameterIsAClearError) {
  auto t = ar::TextTemplate::parse("Dear {{contact.name}}, your code is {{code}}");
  ASSERT_TRUE(t.ok());
  auto out = t->render(from({{"contact.name", "Dana"}}), "template \"otp\"",
                       [](const std::string& n) { return "nobody set " + n; });
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, "template.missing_parameter");
  const auto& msg = out.error().message;
  EXPECT_NE(msg.find("template \"otp\""), std::string::npos) << msg;
  EXPECT_NE(msg.find("{{code}}"), std::string::npos) << msg;
  EXPECT_NE(msg.find("nobody set code"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not sent"), std::string::npos) << msg;
  // An empty value is as missing as an absent one.
  EXPECT_FALSE(t->render(from({{"contact.name", "Dana"}, {"code", ""}}), "t").ok());
}

TEST(AutoresponderTemplate, SyntaxErrorsSayWhere) {
  auto open = ar::TextTemplate::parse("Hello {{name");
  ASSERT_FALSE(open.ok());
  EXPECT_NE(open.error().message.find("byte 6"), std::string::npos) << open.error().message;
  auto nested = ar::TextTemplate::parse("{{a{{b}}}}");
  EXPECT_FALSE(nested.ok());
  auto badName = ar::TextTemplate::parse("{{ first name }}");
  ASSERT_FALSE(badName.ok());
  EXPECT_NE(badName.error().message.find("first name"), std::string::npos);
  auto empty = ar::TextTemplate::parse("{{}}");
  EXPECT_FALSE(empty.ok());
  EXPECT_TRUE(ar::TextTemplate::parse("no parameters } { at all").ok());
}

TEST(AutoresponderParameters, ContactConversationMessageAndCaptures) {
  auto m = ar::test::textMessage("track order 991");
  auto c = ar::test::conversationFor(m);
  c.assignee = "agent-7";
  sdk::Contact contact;
  contact.id = "ct_1";
  contact.name = "Fox Mulder";
  contact.phone = "15550001111";
  contact.fields = {{"tier", "gold"}};
  ar::Captures captures{{"0", "order 991"}, {"1", "991"}, {"id", "991"}};
  std::map<std::string, std::string> params{{"shop", "Lone Gunmen"}};
  ar::ParameterSources s;
  s.message = &m;
  s.conversation = &c;
  s.params = &params;
  s.captures = &captures;
  s.contact = [&]() -> const sdk::Contact* { return &contact; };
  auto v = [&](const std::string& n) { return ar::lookupParameter(s, n).value_or("<none>"); };
  EXPECT_EQ(v("contact.name"), "Fox Mulder");
  EXPECT_EQ(v("contact.first_name"), "Fox");
  EXPECT_EQ(v("first_name"), "Fox");
  EXPECT_EQ(v("contact.phone"), "15550001111");
  EXPECT_EQ(v("contact.tier"), "gold");
  EXPECT_EQ(v("contact.fields.tier"), "gold");
  EXPECT_EQ(v("tier"), "gold");
  EXPECT_EQ(v("shop"), "Lone Gunmen");
  EXPECT_EQ(v("conversation.assignee"), "agent-7");
  EXPECT_EQ(v("message.text"), "track order 991");
  EXPECT_EQ(v("match.1"), "991");
  EXPECT_EQ(v("match.id"), "991");
  EXPECT_EQ(v("match.2"), "<none>");
  EXPECT_EQ(v("contact.language"), "<none>");
  EXPECT_NE(ar::explainMissingParameter(s, "contact.language").find("contact ct_1 has no language"),
            std::string::npos);
  // Without a stored contact the name falls back to the sender's push name.
  s.contact = []() -> const sdk::Contact* { return nullptr; };
  EXPECT_EQ(v("contact.name"), "Dana Scully");
  EXPECT_NE(ar::explainMissingParameter(s, "contact.phone").find("no stored contact"), std::string::npos);
}

TEST(AutoresponderParameters, HostileValuesAreCut) {
  auto m = ar::test::textMessage(std::string(100'000, 'x'));
  auto c = ar::test::conversationFor(m);
  ar::ParameterSources s;
  s.message = &m;
  s.conversation = &c;
  EXPECT_EQ(ar::lookupParameter(s, "message.text")->size(), ar::kMaxParameterBytes);
}
