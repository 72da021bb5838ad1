// What a rebalance changes in the partitions a daemon holds, under each protocol: with the
// cooperative one, partitions that stay are in no callback and their accounts are never taken
// over again.
#include <gtest/gtest.h>

#include "cluster/partition_assignment.hpp"

namespace cl = switchboard::host::cluster;
using Set = std::set<int>;

TEST(PartitionAssignment, ProtocolNames) {
  EXPECT_EQ(cl::rebalanceProtocolNamed("COOPERATIVE"), cl::RebalanceProtocol::Cooperative);
  EXPECT_EQ(cl::rebalanceProtocolNamed("EAGER"), cl::RebalanceProtocol::Eager);
  EXPECT_EQ(cl::rebalanceProtocolNamed("NONE"), cl::RebalanceProtocol::Eager);
  EXPECT_EQ(cl::rebalanceProtocolNamed(nullptr), cl::RebalanceProtocol::Eager);
}

TEST(PartitionAssignment, CooperativeAddsToWhatStayed) {
  // A daemon held 0..5; a newcomer joins: round one revokes 3 and 4, round two assigns nothing
  // new here; later 4 comes back.
  Set held{0, 1, 2, 3, 4, 5};
  held = cl::applyRevocation(held, {3, 4});
  EXPECT_EQ(held, (Set{0, 1, 2, 5}));
  auto empty = cl::applyAssignment(cl::RebalanceProtocol::Cooperative, held, {});
  EXPECT_EQ(empty.held, (Set{0, 1, 2, 5}));
  EXPECT_TRUE(empty.added.empty());
  auto back = cl::applyAssignment(cl::RebalanceProtocol::Cooperative, empty.held, {4});
  EXPECT_EQ(back.held, (Set{0, 1, 2, 4, 5}));
  EXPECT_EQ(back.added, (Set{4}));
  // A partition already held (a repeated increment) is not new: its accounts are not taken again.
  auto again = cl::applyAssignment(cl::RebalanceProtocol::Cooperative, back.held, {4, 3});
  EXPECT_EQ(again.added, (Set{3}));
  EXPECT_EQ(again.held, (Set{0, 1, 2, 3, 4, 5}));
}

TEST(PartitionAssignment, EagerReplaces) {
  // Eager: everything was revoked first, and the assignment is the whole new set.
  Set held = cl::applyRevocation({0, 1, 2}, {0, 1, 2});
  EXPECT_TRUE(held.empty());
  auto a = cl::applyAssignment(cl::RebalanceProtocol::Eager, held, {1, 4});
  EXPECT_EQ(a.held, (Set{1, 4}));
  EXPECT_EQ(a.added, (Set{1, 4}));
  // Even if something was left over, the eager assignment is the whole truth.
  auto b = cl::applyAssignment(cl::RebalanceProtocol::Eager, {1, 2}, {1, 3});
  EXPECT_EQ(b.held, (Set{1, 3}));
  EXPECT_EQ(b.added, (Set{3}));
}

TEST(PartitionAssignment, RevokingWhatIsNotHeldChangesNothing) {
  EXPECT_EQ(cl::applyRevocation({1, 2}, {7}), (Set{1, 2}));
  EXPECT_EQ(cl::applyRevocation({1, 2}, {}), (Set{1, 2}));
}
