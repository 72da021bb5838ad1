// FAQ answers by BM25: the right entry wins, confidence is a share between 0 and 1, unrelated
// questions stay below the threshold.

#include <gtest/gtest.h>

#include "faq_index.hpp"
#include "text_fold.hpp"

namespace ar = switchboard::autoresponder;

namespace {

class AutoresponderFaqIndex : public ::testing::Test {
 protected:
  void SetUp() override {
    add(0, "What are your opening hours?");
    add(0, "When are you open?");
    add(1, "How much does shipping cost?");
    add(1, "What are the delivery fees?");
    add(2, "How do I return a product?");
    add(2, "Can I get a refund?");
    add(3, "Do you ship to Spain?");
    add(4, "How do I reset my password?");
    index_.finish();
  }
  void add(std::size_t entry, const char* q) { index_.add(entry, ar::foldText(q)); }
  std::optional<ar::FaqIndex::Hit> ask(const std::string& text) {
    folded_ = ar::foldText(text);
    return index_.best(ar::splitWords(folded_));
  }

  ar::FaqIndex index_;
  std::string folded_;
};

}  // namespace

TEST_F(AutoresponderFaqIndex, TheQuestionItselfScoresFullConfidence) {
  auto hit = ask("What are your opening hours?");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->entry, 0u);
  EXPECT_NEAR(hit->confidence, 1.0, 1e-9);
  EXPECT_GT(hit->score, 0);
}

TEST_F(AutoresponderFaqIndex, ParaphrasesFindTheirEntry) {
  auto hours = ask("hi, when are you open tomorrow?");
  ASSERT_TRUE(hours);
  EXPECT_EQ(hours->entry, 0u);
  EXPECT_GE(hours->confidence, 0.5);

  auto fees = ask("what are the delivery fees to Portugal");
  ASSERT_TRUE(fees);
  EXPECT_EQ(fees->entry, 1u);

  auto refund = ask("I want a REFUND");
  ASSERT_TRUE(refund);
  EXPECT_EQ(refund->entry, 2u);
  EXPECT_GE(refund->confidence, 0.5);

  auto password = ask("forgot my password, how to reset it?");
  ASSERT_TRUE(password);
  EXPECT_EQ(password->entry, 4u);
}

TEST_F(AutoresponderFaqIndex, PluralsMeetSingulars) {
  auto hit = ask("shipping costs");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->entry, 1u);
}

TEST_F(AutoresponderFaqIndex, UnrelatedTextStaysBelowTheThreshold) {
  auto hit = ask("my cat likes to sleep on the keyboard");
  EXPECT_TRUE(!hit || hit->confidence < 0.5) << hit->confidence;
  auto onlyStopwords = ask("what is it?");
  EXPECT_FALSE(onlyStopwords);
  auto empty = ask("");
  EXPECT_FALSE(empty);
}

TEST_F(AutoresponderFaqIndex, ConfidenceIsAShare) {
  for (const char* q : {"shipping shipping shipping shipping", "open open open hours hours", "spain", "refund ship"}) {
    auto hit = ask(q);
    ASSERT_TRUE(hit) << q;
    EXPECT_GE(hit->confidence, 0.0) << q;
    EXPECT_LE(hit->confidence, 1.0) << q;
  }
  // Sharing one word of a longer question is less certain than saying all of it.
  EXPECT_LT(ask("password")->confidence, ask("reset my password")->confidence);
}

TEST(AutoresponderFaq, CustomStopwords) {
  ar::FaqIndex index({"bitte", "wie"});
  index.add(7, ar::foldText("Wie sind die Öffnungszeiten?"));
  index.finish();
  const auto folded = ar::foldText("Öffnungszeiten bitte");
  auto hit = index.best(ar::splitWords(folded));
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->entry, 7u);
}
