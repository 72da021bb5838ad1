// The outbox scope of a daemon in a cluster: a row is produced by the holder of its account's
// partition (partition 0 for rows without an account, the placement for a moved account), and
// every change of what is held changes the version the relay starts over on.
#include <gtest/gtest.h>

#include "cluster/account_partition.hpp"
#include "cluster/partition_outbox_scope.hpp"

namespace sbc = switchboard::host::cluster;
using switchboard::host::OutboxRecord;
using namespace std::chrono_literals;

namespace {

OutboxRecord rowOf(const std::string& account) {
  OutboxRecord r;
  r.account = account;
  return r;
}

// The first account id (of the form acctN) whose hash lands on `partition` of 6.
std::string accountOn(int partition) {
  for (int i = 0;; ++i) {
    std::string a = "acct" + std::to_string(i);
    if (sbc::partitionOf(a, 6) == partition) {
      return a;
    }
  }
}

TEST(PartitionOutboxScope, ProducesOnlyRowsOfHeldPartitions) {
  sbc::PartitionOutboxScope scope(10s, 3s);
  // Before the group assigned anything, nothing is ours.
  EXPECT_FALSE(scope.produces(rowOf(accountOn(1))));
  EXPECT_FALSE(scope.produces(rowOf("")));

  const auto v0 = scope.version();
  scope.assign({1, 4}, 6);
  EXPECT_FALSE(scope.holding());  // the watchdog ticks: no stall
  EXPECT_NE(scope.version(), v0);
  EXPECT_TRUE(scope.produces(rowOf(accountOn(1))));
  EXPECT_TRUE(scope.produces(rowOf(accountOn(4))));
  EXPECT_FALSE(scope.produces(rowOf(accountOn(2))));
  EXPECT_FALSE(scope.produces(rowOf("")));  // rows without an account: the holder of partition 0

  const auto v1 = scope.version();
  scope.revoke({4});
  EXPECT_NE(scope.version(), v1);
  EXPECT_FALSE(scope.produces(rowOf(accountOn(4))));
  EXPECT_TRUE(scope.produces(rowOf(accountOn(1))));

  scope.assign({0}, 6);
  EXPECT_TRUE(scope.produces(rowOf("")));
  EXPECT_FALSE(scope.produces(rowOf(accountOn(1))));

  // A cooperative round that moves nothing here assigns the same set again: the relay's reads
  // stay valid, so it does not start over.
  const auto v2 = scope.version();
  scope.assign({0}, 6);
  EXPECT_EQ(scope.version(), v2);
  scope.assign({0, 2}, 6);
  EXPECT_NE(scope.version(), v2);
  EXPECT_TRUE(scope.produces(rowOf(accountOn(2))));
}

TEST(PartitionOutboxScope, MovedAccountFollowsItsPlacement) {
  sbc::PartitionOutboxScope scope(10s, 3s);
  scope.assign({2}, 6);
  const std::string moved = accountOn(5);
  EXPECT_FALSE(scope.produces(rowOf(moved)));
  const auto v = scope.version();
  scope.setPlacements({{moved, 2}});
  EXPECT_NE(scope.version(), v);
  EXPECT_TRUE(scope.produces(rowOf(moved)));
  // The same placements again change nothing (the coordinator reloads them every second).
  const auto same = scope.version();
  scope.setPlacements({{moved, 2}});
  EXPECT_EQ(scope.version(), same);
  // Moved on to a partition held elsewhere.
  scope.setPlacements({{moved, 3}});
  EXPECT_FALSE(scope.produces(rowOf(moved)));
}

}  // namespace
