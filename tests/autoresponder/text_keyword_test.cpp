// Text folding and keyword rules: what counts as the same word, phrases, the four match modes.

#include <gtest/gtest.h>

#include "keyword_matcher.hpp"
#include "text_fold.hpp"

namespace ar = switchboard::autoresponder;

namespace {

std::vector<std::size_t> matchAll(const ar::KeywordMatcher& k, const std::string& text) {
  const auto folded = ar::foldText(text);
  std::vector<std::size_t> out;
  k.match(folded, ar::splitWords(folded), out);
  return out;
}

std::vector<std::string> folded(std::initializer_list<const char*> words) {
  std::vector<std::string> out;
  for (const char* w : words) {
    out.push_back(ar::foldText(w));
  }
  return out;
}

}  // namespace

TEST(AutoresponderTextFold, CaseAccentsAndPunctuationFold) {
  EXPECT_EQ(ar::foldText("¿Cuánto CUESTA el envío?"), "cuanto cuesta el envio");
  EXPECT_EQ(ar::foldText("Ærøskøbing STRAßE Łódź"), "aeroskobing strasse lodz");
  EXPECT_EQ(ar::foldText("ПРИВЕТ, Мир!"), "привет мир");
  EXPECT_EQ(ar::foldText("  hi...   there\t\n"), "hi there");
  EXPECT_EQ(ar::foldText("hi😀there"), "hi there");
  EXPECT_EQ(ar::foldText("e-mail: a.b@c.de"), "e mail a b c de");
}

TEST(AutoresponderTextFold, InvalidUtf8IsASeparatorNeverACrash) {
  EXPECT_EQ(ar::foldText(std::string("\xff\xfehello\xc3")), "hello");
  EXPECT_EQ(ar::foldText(std::string("ab\xed\xa0\x80" "cd")), "ab cd");     // a UTF-16 surrogate
  EXPECT_EQ(ar::foldText(std::string("ab\xc0\xaf" "cd")), "ab cd");         // an overlong '/'
  std::string noise;
  for (int i = 0; i < 4096; ++i) {
    noise += static_cast<char>((i * 131) & 0xFF);
  }
  const auto out = ar::foldText(noise);
  EXPECT_LE(out.size(), noise.size() * 2);
}

TEST(AutoresponderTextFold, CutsOnACharacterBoundary) {
  EXPECT_EQ(ar::utf8Prefix("ééé", 3), "é");
  EXPECT_EQ(ar::foldText("ééé", 3), "e");
  EXPECT_EQ(ar::foldText("hello world", 5), "hello");
}

TEST(AutoresponderTextFold, PhrasesAreConsecutiveWords) {
  const auto text = ar::foldText("What are your opening hours today?");
  const auto words = ar::splitWords(text);
  EXPECT_TRUE(ar::containsPhrase(words, {"opening", "hours"}));
  EXPECT_FALSE(ar::containsPhrase(words, {"hours", "opening"}));
  EXPECT_FALSE(ar::containsPhrase(words, {}));
}

TEST(AutoresponderKeywords, AnyMatchesWholeWordsOnly) {
  ar::KeywordMatcher k;
  k.add(0, ar::KeywordMode::Any, folded({"price", "cost"}));
  EXPECT_EQ(matchAll(k, "What's the PRICE?"), std::vector<std::size_t>{0});
  EXPECT_EQ(matchAll(k, "how much does it cost"), std::vector<std::size_t>{0});
  EXPECT_TRUE(matchAll(k, "priceless costume").empty());
}

TEST(AutoresponderKeywords, PhrasesNeedTheirWordsInOrder) {
  ar::KeywordMatcher k;
  k.add(3, ar::KeywordMode::Any, folded({"opening hours"}));
  k.add(4, ar::KeywordMode::Any, folded({"opening"}));
  EXPECT_EQ(matchAll(k, "your opening hours please"), (std::vector<std::size_t>{3, 4}));
  EXPECT_EQ(matchAll(k, "opening the hours"), std::vector<std::size_t>{4});
  EXPECT_EQ(matchAll(k, "hours opening"), std::vector<std::size_t>{4});
  EXPECT_EQ(matchAll(k, "is it opening"), std::vector<std::size_t>{4}) << "phrase at the very end";
}

TEST(AutoresponderKeywords, AllNeedsEveryKeyword) {
  ar::KeywordMatcher k;
  k.add(1, ar::KeywordMode::All, folded({"refund", "order"}));
  EXPECT_TRUE(matchAll(k, "I want a refund").empty());
  EXPECT_EQ(matchAll(k, "refund for my order please"), std::vector<std::size_t>{1});
  EXPECT_EQ(matchAll(k, "order order refund refund"), std::vector<std::size_t>{1});
}

TEST(AutoresponderKeywords, ExactIsTheWholeMessage) {
  ar::KeywordMatcher k;
  k.add(2, ar::KeywordMode::Exact, folded({"hi", "good morning"}));
  EXPECT_EQ(matchAll(k, "Hi!"), std::vector<std::size_t>{2});
  EXPECT_EQ(matchAll(k, "  Good   MORNING!! "), std::vector<std::size_t>{2});
  EXPECT_TRUE(matchAll(k, "hi there").empty());
}

TEST(AutoresponderKeywords, ContainsMatchesInsideWords) {
  ar::KeywordMatcher k;
  k.add(5, ar::KeywordMode::Contains, folded({"price"}));
  EXPECT_EQ(matchAll(k, "PRICELESS"), std::vector<std::size_t>{5});
  EXPECT_TRUE(matchAll(k, "prize").empty());
}

TEST(AutoresponderKeywords, ManyRulesShareAWord) {
  ar::KeywordMatcher k;
  for (std::size_t i = 0; i < 1000; ++i) {
    k.add(i, ar::KeywordMode::Any, folded({i % 2 == 0 ? "shipping" : "delivery"}));
  }
  const auto hits = matchAll(k, "shipping?");
  EXPECT_EQ(hits.size(), 500u);
  EXPECT_EQ(hits.front(), 0u);
  EXPECT_TRUE(std::is_sorted(hits.begin(), hits.end()));
}
