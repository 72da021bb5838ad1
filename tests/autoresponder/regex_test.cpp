// Regular-expression triggers: captures, case, bad patterns, and hostile text that would make a
// backtracking matcher run for ages.

#include <gtest/gtest.h>

#include <chrono>

#include "regex_pattern.hpp"

namespace ar = switchboard::autoresponder;

namespace {

std::string capture(const ar::Captures& c, const std::string& name) {
  for (const auto& [k, v] : c) {
    if (k == name) {
      return v;
    }
  }
  return "<absent>";
}

}  // namespace

TEST(AutoresponderRegex, CapturesNumberedAndNamedGroups) {
  auto re = ar::RegexPattern::compile(R"(order\s*#?(?<number>\d{4,8}))", false);
  ASSERT_TRUE(re.ok()) << re.error().message;
  ar::Captures c;
  ASSERT_EQ(re->match("Where is ORDER #123456?", &c), ar::RegexPattern::Outcome::Match);
  EXPECT_EQ(capture(c, "0"), "ORDER #123456");
  EXPECT_EQ(capture(c, "1"), "123456");
  EXPECT_EQ(capture(c, "number"), "123456");
  EXPECT_EQ(re->match("no number here", &c), ar::RegexPattern::Outcome::NoMatch);
}

TEST(AutoresponderRegex, CaseSensitiveWhenAsked) {
  auto re = ar::RegexPattern::compile("^STOP$", true);
  ASSERT_TRUE(re.ok());
  EXPECT_EQ(re->match("STOP", nullptr), ar::RegexPattern::Outcome::Match);
  EXPECT_EQ(re->match("stop", nullptr), ar::RegexPattern::Outcome::NoMatch);
  auto insensitive = ar::RegexPattern::compile("^stop$", false);
  ASSERT_TRUE(insensitive.ok());
  EXPECT_EQ(insensitive->match("StOp", nullptr), ar::RegexPattern::Outcome::Match);
  auto unicode = ar::RegexPattern::compile("^привет", false);
  ASSERT_TRUE(unicode.ok());
  EXPECT_EQ(unicode->match("ПРИВЕТ мир", nullptr), ar::RegexPattern::Outcome::Match);
}

TEST(AutoresponderRegex, InvalidPatternSaysWhyAndWhere) {
  auto re = ar::RegexPattern::compile("order (\\d+", false);
  ASSERT_FALSE(re.ok());
  EXPECT_NE(re.error().message.find("invalid regular expression"), std::string::npos) << re.error().message;
  EXPECT_NE(re.error().message.find("at offset "), std::string::npos) << re.error().message;
}

TEST(AutoresponderRegex, CatastrophicBacktrackingGivesUpQuickly) {
  auto re = ar::RegexPattern::compile("^(a+)+$", false);
  ASSERT_TRUE(re.ok());
  const std::string hostile = std::string(5000, 'a') + "!";
  const auto start = std::chrono::steady_clock::now();
  const auto outcome = re->match(hostile, nullptr);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_NE(outcome, ar::RegexPattern::Outcome::Match);
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST(AutoresponderRegex, InvalidUtf8TextIsNotAnError) {
  auto re = ar::RegexPattern::compile("hello", false);
  ASSERT_TRUE(re.ok());
  EXPECT_EQ(re->match(std::string("\xff\xfe hello \xc3"), nullptr), ar::RegexPattern::Outcome::Match);
  EXPECT_EQ(re->match(std::string("\xff\xfe\xfd"), nullptr), ar::RegexPattern::Outcome::NoMatch);
}

TEST(AutoresponderRegex, LongCapturesAreCut) {
  auto re = ar::RegexPattern::compile("(.*)", false);
  ASSERT_TRUE(re.ok());
  ar::Captures c;
  ASSERT_EQ(re->match(std::string(10'000, 'x'), &c, 256), ar::RegexPattern::Outcome::Match);
  EXPECT_EQ(capture(c, "1").size(), 256u);
}

TEST(AutoresponderRegex, RequiredLiteralIsOnlyWhatEveryMatchContains) {
  using P = ar::RegexPattern;
  EXPECT_EQ(P::requiredLiteral(R"(\bsku-?10123\b)"), "10123");
  EXPECT_EQ(P::requiredLiteral(R"(ORDER\s*#?(\d+))"), "order");
  EXPECT_EQ(P::requiredLiteral(R"(hello+ big world)"), " big world");
  EXPECT_EQ(P::requiredLiteral(R"(price\.list)"), "price.list");
  EXPECT_EQ(P::requiredLiteral(R"([abc]def[]x]ghij)"), "ghij");
  EXPECT_EQ(P::requiredLiteral(R"(colou?r)"), "colo");
  EXPECT_EQ(P::requiredLiteral(R"(ab{0,2}cd)"), "cd");
  EXPECT_EQ(P::requiredLiteral(R"(x(refund|money back)yz)"), "yz") << "alternation inside a group";
  EXPECT_EQ(P::requiredLiteral(R"(refund|money back)"), "");
  EXPECT_EQ(P::requiredLiteral(R"((?x) a b # c)"), "");
  EXPECT_EQ(P::requiredLiteral(R"(\Qa.b\E)"), "");
  EXPECT_EQ(P::requiredLiteral(R"(.)"), "");
  EXPECT_EQ(P::requiredLiteral(R"(caf\x{e9})"), "caf");
  EXPECT_EQ(P::requiredLiteral(R"(trailing\\)"), "trailing\\") << "an escaped backslash is a literal";
  EXPECT_EQ(P::requiredLiteral("broken\\"), "") << "a lone trailing backslash is no pattern";
}
