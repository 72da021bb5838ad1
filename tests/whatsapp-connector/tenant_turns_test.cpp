// The connector's decryption turns: at most N at once, waiting requests served one tenant at a
// time (a burst of one tenant does not hold back another's next message), each tenant's requests
// in the order they came, nothing granted once closed.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connector/tenant_turns.hpp"

namespace wc = switchboard::whatsapp::connector;

namespace {

struct Recorder {
  std::vector<std::string> granted;
  std::vector<wc::TenantTurns::Turn> held;
  wc::TenantTurns::Grant grant(const std::string& name) {
    return [this, name](wc::TenantTurns::Turn t) {
      granted.push_back(name);
      held.push_back(std::move(t));
    };
  }
  // Frees the oldest turn held (the holder finished its decryption).
  void finishOldest() {
    ASSERT_FALSE(held.empty());
    auto t = std::move(held.front());
    held.erase(held.begin());
    t.reset();
  }
};

}  // namespace

TEST(WaTenantTurns, ABurstOfOneTenantDoesNotHoldBackAnothersNextMessage) {
  wc::TenantTurns turns(1);
  Recorder r;
  for (int i = 0; i < 100; ++i) {
    turns.request("t0", r.grant("t0-" + std::to_string(i)));
  }
  turns.request("t1", r.grant("t1-0"));
  ASSERT_EQ(r.granted, std::vector<std::string>{"t0-0"});  // one turn: granted at once
  EXPECT_EQ(turns.waiting(), 100u);
  r.finishOldest();
  r.finishOldest();
  // t1's message came after 100 of t0's, and waits for one of them only.
  EXPECT_EQ(r.granted, (std::vector<std::string>{"t0-0", "t0-1", "t1-0"}));
  while (!r.held.empty()) {
    r.finishOldest();
  }
  ASSERT_EQ(r.granted.size(), 101u);
  // t0's own requests kept their order (one account's messages, one chat's order).
  for (int i = 0; i < 100; ++i) {
    const auto& name = r.granted[static_cast<std::size_t>(i < 2 ? i : i + 1)];
    EXPECT_EQ(name, "t0-" + std::to_string(i));
  }
  EXPECT_EQ(turns.waiting(), 0u);
}

TEST(WaTenantTurns, AtMostNRunAtOnceAndTenantsAlternate) {
  wc::TenantTurns turns(2);
  Recorder r;
  for (const char* name : {"a1", "a2", "a3", "a4", "b1", "b2", "c1"}) {
    turns.request(std::string(1, name[0]), r.grant(name));
  }
  EXPECT_EQ(r.granted, (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(r.held.size(), 2u);
  r.finishOldest();
  r.finishOldest();
  EXPECT_EQ(r.granted, (std::vector<std::string>{"a1", "a2", "a3", "b1"}));
  r.finishOldest();
  r.finishOldest();
  r.finishOldest();
  EXPECT_EQ(r.granted, (std::vector<std::string>{"a1", "a2", "a3", "b1", "c1", "a4", "b2"}));
  while (!r.held.empty()) {
    r.finishOldest();
  }
  // All free again: the next request is granted at once.
  turns.request("z", r.grant("z1"));
  EXPECT_EQ(r.granted.back(), "z1");
}

TEST(WaTenantTurns, ClosedGrantsNothingAndTurnsMayOutliveTheGate) {
  Recorder r;
  {
    wc::TenantTurns turns(1);
    turns.request("t0", r.grant("first"));
    turns.request("t0", r.grant("dropped"));
    turns.close();
    EXPECT_EQ(turns.waiting(), 0u);
    turns.request("t1", r.grant("after-close"));
  }
  r.finishOldest();  // the gate is gone; freeing its turn is still safe
  EXPECT_EQ(r.granted, std::vector<std::string>{"first"});
}

TEST(WaTenantTurns, TryTakeGivesAFreeTurnOnlyWhenNobodyWaits) {
  wc::TenantTurns turns(2);
  Recorder r;
  auto first = turns.tryTake();
  ASSERT_NE(first, nullptr);
  auto second = turns.tryTake();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(turns.tryTake(), nullptr);  // both taken
  turns.request("t1", r.grant("t1-0"));
  EXPECT_TRUE(r.granted.empty());
  first.reset();  // freed: it goes to the waiting request, not to the next tryTake
  ASSERT_EQ(r.granted, std::vector<std::string>{"t1-0"});
  turns.request("t2", r.grant("t2-0"));
  EXPECT_EQ(turns.tryTake(), nullptr);  // t2 waits: taking would pass it
  second.reset();
  ASSERT_EQ(r.granted, (std::vector<std::string>{"t1-0", "t2-0"}));
  r.finishOldest();  // nobody waits now: a freed turn is free again
  EXPECT_NE(turns.tryTake(), nullptr);
  turns.close();
  r.finishOldest();
  EXPECT_EQ(turns.tryTake(), nullptr);  // closed
}
