// The account -> partition map must equal Kafka's default partitioner for keyed records, or a
// control record keyed by the account would reach a daemon that does not own the account.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cluster/account_partition.hpp"

namespace sbc = switchboard::host::cluster;

// Reference values computed with kafkajs's DefaultPartitioner murmur2 (the Java client's hash).
TEST(AccountPartition, MatchesKafkasMurmur2) {
  EXPECT_EQ(sbc::kafkaMurmur2(""), 275646681);
  EXPECT_EQ(sbc::kafkaMurmur2("a"), -1563381124);
  EXPECT_EQ(sbc::kafkaMurmur2("kafka"), -798503068);
  EXPECT_EQ(sbc::kafkaMurmur2("15551230001"), -284359198);
  EXPECT_EQ(sbc::kafkaMurmur2("account-42"), 201584324);
  EXPECT_EQ(sbc::kafkaMurmur2("h\xc3\xa9llo"), 614509002);
}

TEST(AccountPartition, PartitionIsPositiveModulo) {
  EXPECT_EQ(sbc::partitionOf("", 12), 9);
  EXPECT_EQ(sbc::partitionOf("a", 12), 4);
  EXPECT_EQ(sbc::partitionOf("15551230001", 12), 10);
  EXPECT_EQ(sbc::partitionOf("account-42", 12), 8);
  for (int n : {1, 2, 3, 7, 64}) {
    EXPECT_EQ(sbc::partitionOf("anything", n), sbc::partitionOf("anything", n));
    EXPECT_GE(sbc::partitionOf("kafka", n), 0);
    EXPECT_LT(sbc::partitionOf("kafka", n), n);
  }
}

// Thirty phone-number accounts over six partitions: none is left empty, none holds half.
TEST(AccountPartition, SpreadsPhoneNumbers) {
  std::map<int, int> per;
  for (int i = 0; i < 30; ++i) {
    per[sbc::partitionOf("1555700" + std::to_string(1000 + i), 6)]++;
  }
  EXPECT_EQ(per.size(), 6U);
  for (const auto& [p, n] : per) {
    EXPECT_LT(n, 15) << "partition " << p;
  }
}
