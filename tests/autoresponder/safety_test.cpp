// Safety components: exact sliding-window rate limits, the loop guard's two signals, and the
// bounded maps that keep memory flat however many conversations pass.

#include <gtest/gtest.h>

#include "loop_guard.hpp"
#include "rate_limiter.hpp"
#include "recent_times.hpp"

namespace ar = switchboard::autoresponder;

TEST(AutoresponderRateLimit, ExactSlidingWindow) {
  ar::RateLimiter limiter(3, 10'000);
  const std::string k = "cv_1";
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(limiter.allows(k, 1000 + i * 1000));
    limiter.record(k, 1000 + i * 1000);  // at 1 s, 2 s, 3 s
  }
  EXPECT_FALSE(limiter.allows(k, 3500));
  EXPECT_EQ(limiter.nextAllowed(k, 3500), 11'000);  // the first event leaves the window
  EXPECT_FALSE(limiter.allows(k, 10'999));
  EXPECT_TRUE(limiter.allows(k, 11'000));
  limiter.record(k, 11'000);
  EXPECT_FALSE(limiter.allows(k, 11'500));          // 2 s, 3 s and 11 s are within 10 s
  EXPECT_TRUE(limiter.allows(k, 12'000));
  EXPECT_TRUE(limiter.allows("cv_2", 3500)) << "keys are independent";
}

TEST(AutoresponderRateLimit, StaysBoundedUnderManyKeys) {
  ar::RateLimiter limiter(2, 1000, 1000);
  for (int i = 0; i < 50'000; ++i) {
    limiter.record("cv_" + std::to_string(i), i);  // all within a few windows
  }
  EXPECT_LE(limiter.keys(), 1000u);
  EXPECT_TRUE(limiter.allows("cv_49999", 49'999)) << "one of two allowed";
  limiter.record("cv_49999", 49'999);
  EXPECT_FALSE(limiter.allows("cv_49999", 49'999)) << "a recent key survives pruning";
}

TEST(AutoresponderLoopGuard, MachineFastAnswersInARowMakeALoop) {
  ar::LoopSettings s;  // fast 3 s, 3 in a row, pause 1 h
  s.maxRepeats = 0;
  ar::LoopGuard guard(s);
  const std::string cv = "cv_1";
  long t = 1'000'000;
  EXPECT_EQ(guard.onInbound(cv, "hello", t), ar::LoopGuard::Verdict::Ok);
  for (int i = 1; i <= 2; ++i) {
    guard.onReply(cv, t += 100);
    EXPECT_EQ(guard.onInbound(cv, "text " + std::to_string(i), t += 200), ar::LoopGuard::Verdict::Ok) << i;
  }
  guard.onReply(cv, t += 100);
  EXPECT_EQ(guard.onInbound(cv, "text 3", t += 200), ar::LoopGuard::Verdict::Detected);
  EXPECT_EQ(guard.onInbound(cv, "text 4", t += 60'000), ar::LoopGuard::Verdict::Paused);
  EXPECT_EQ(guard.onInbound(cv, "text 5", t + 3'600'000), ar::LoopGuard::Verdict::Ok) << "the pause ends";
}

TEST(AutoresponderLoopGuard, ASlowAnswerResetsTheStreak) {
  ar::LoopSettings s;
  s.maxRepeats = 0;
  ar::LoopGuard guard(s);
  long t = 0;
  for (int round = 0; round < 10; ++round) {
    guard.onReply("cv", t += 1000);
    // Two fast answers, then a human pause.
    const auto v = guard.onInbound("cv", "x", t += (round % 3 == 2) ? 20'000 : 500);
    EXPECT_EQ(v, ar::LoopGuard::Verdict::Ok) << round;
  }
  // Several messages in a row after one reply count once.
  guard.onReply("cv2", t);
  EXPECT_EQ(guard.onInbound("cv2", "a", t + 100), ar::LoopGuard::Verdict::Ok);
  EXPECT_EQ(guard.onInbound("cv2", "b", t + 200), ar::LoopGuard::Verdict::Ok);
  EXPECT_EQ(guard.onInbound("cv2", "c", t + 300), ar::LoopGuard::Verdict::Ok);
}

TEST(AutoresponderLoopGuard, RepeatedTextMakesALoopEvenWhenSlow) {
  ar::LoopSettings s;
  s.fastReply = std::chrono::milliseconds(0);
  ar::LoopGuard guard(s);  // 3 repeats within 10 min
  EXPECT_EQ(guard.onInbound("cv", "thanks for your message", 0), ar::LoopGuard::Verdict::Ok);
  EXPECT_EQ(guard.onInbound("cv", "something else", 60'000), ar::LoopGuard::Verdict::Ok);
  EXPECT_EQ(guard.onInbound("cv", "thanks for your message", 120'000), ar::LoopGuard::Verdict::Ok);
  EXPECT_EQ(guard.onInbound("cv", "thanks for your message", 180'000), ar::LoopGuard::Verdict::Detected);
  // Outside the window repeats do not add up.
  EXPECT_EQ(guard.onInbound("cv2", "hi", 0), ar::LoopGuard::Verdict::Ok);
  EXPECT_EQ(guard.onInbound("cv2", "hi", 700'000), ar::LoopGuard::Verdict::Ok);
  EXPECT_EQ(guard.onInbound("cv2", "hi", 1'400'000), ar::LoopGuard::Verdict::Ok);
}

TEST(AutoresponderLoopGuard, ResetForgetsAPause) {
  ar::LoopSettings s;
  s.maxRepeats = 2;
  ar::LoopGuard guard(s);
  EXPECT_EQ(guard.onInbound("cv", "x", 0), ar::LoopGuard::Verdict::Ok);
  EXPECT_EQ(guard.onInbound("cv", "x", 1), ar::LoopGuard::Verdict::Detected);
  guard.reset("cv");
  EXPECT_EQ(guard.onInbound("cv", "y", 2), ar::LoopGuard::Verdict::Ok);
}

TEST(AutoresponderLoopGuard, StaysBoundedUnderManyConversations) {
  ar::LoopGuard guard(ar::LoopSettings{}, 500);
  for (int i = 0; i < 20'000; ++i) {
    (void)guard.onInbound("cv_" + std::to_string(i), "hello", i * 1000L);
  }
  EXPECT_LE(guard.conversations(), 500u);
}

TEST(AutoresponderRecentTimes, WithinAndBounded) {
  ar::RecentTimes times(60'000, 100);
  times.put("a", 1000);
  EXPECT_TRUE(times.within("a", 30'000, 60'000));
  EXPECT_FALSE(times.within("a", 61'000, 60'000));
  EXPECT_FALSE(times.within("b", 1000, 60'000));
  times.put("a", 500);
  EXPECT_EQ(times.get("a"), 1000) << "never moves back in time";
  for (int i = 0; i < 10'000; ++i) {
    times.put("k" + std::to_string(i), 100'000 + i);
  }
  EXPECT_LE(times.size(), 100u);
}
