// The connector's cache of committed Signal records: what it keeps, what a commit changes, and
// that it stays within its bound.

#include <gtest/gtest.h>

#include "connector/signal_record_cache.hpp"

using switchboard::whatsapp::connector::SignalRecordCache;
namespace sdk = switchboard::sdk;

TEST(SignalRecordCache, KeepsSessionsIdentitiesAndSenderKeysButNotPreKeys) {
  SignalRecordCache cache;
  cache.loaded(sdk::SignalTable::Session, "1555.0", "s");
  cache.loaded(sdk::SignalTable::Identity, "1555.0", "i");
  cache.loaded(sdk::SignalTable::SenderKey, "g::1555.0", "k");
  cache.loaded(sdk::SignalTable::PreKey, "7", "p");
  cache.loaded(sdk::SignalTable::SignedPreKey, "1", "q");
  ASSERT_NE(cache.find(sdk::SignalTable::Session, "1555.0"), nullptr);
  EXPECT_EQ(*cache.find(sdk::SignalTable::Session, "1555.0"), "s");
  EXPECT_EQ(*cache.find(sdk::SignalTable::Identity, "1555.0"), "i");
  EXPECT_EQ(*cache.find(sdk::SignalTable::SenderKey, "g::1555.0"), "k");
  EXPECT_EQ(cache.find(sdk::SignalTable::PreKey, "7"), nullptr);
  EXPECT_EQ(cache.find(sdk::SignalTable::SignedPreKey, "1"), nullptr);
  // The same key in another table is another record.
  EXPECT_EQ(cache.find(sdk::SignalTable::Session, "g::1555.0"), nullptr);
}

TEST(SignalRecordCache, CommittedWritesReplaceAndRemovalsForget) {
  SignalRecordCache cache;
  cache.loaded(sdk::SignalTable::Session, "a.0", "old");
  cache.loaded(sdk::SignalTable::Session, "b.0", "b");
  cache.committed({{sdk::SignalTable::Session, "a.0", std::string("new")},
                   {sdk::SignalTable::Session, "b.0", std::nullopt},
                   {sdk::SignalTable::Identity, "c.0", std::string("c")},
                   {sdk::SignalTable::PreKey, "9", std::nullopt}});
  EXPECT_EQ(*cache.find(sdk::SignalTable::Session, "a.0"), "new");
  EXPECT_EQ(cache.find(sdk::SignalTable::Session, "b.0"), nullptr);
  EXPECT_EQ(*cache.find(sdk::SignalTable::Identity, "c.0"), "c");
  EXPECT_EQ(cache.size(), 2u);
  cache.clear();
  EXPECT_EQ(cache.find(sdk::SignalTable::Session, "a.0"), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(SignalRecordCache, StaysWithinItsBoundDroppingTheLeastRecentlyUsed) {
  SignalRecordCache cache;
  for (std::size_t i = 0; i < SignalRecordCache::kCapacity; ++i) {
    cache.loaded(sdk::SignalTable::Session, std::to_string(i) + ".0", "v");
  }
  ASSERT_NE(cache.find(sdk::SignalTable::Session, "0.0"), nullptr);  // 0 is now the most recent
  cache.loaded(sdk::SignalTable::Session, "new.0", "v");
  EXPECT_EQ(cache.size(), SignalRecordCache::kCapacity);
  EXPECT_NE(cache.find(sdk::SignalTable::Session, "0.0"), nullptr);
  EXPECT_EQ(cache.find(sdk::SignalTable::Session, "1.0"), nullptr);  // the least recently used
  EXPECT_NE(cache.find(sdk::SignalTable::Session, "new.0"), nullptr);
  for (int i = 0; i < 1000; ++i) {
    cache.committed({{sdk::SignalTable::Identity, "x" + std::to_string(i) + ".0", std::string("v")}});
  }
  EXPECT_EQ(cache.size(), SignalRecordCache::kCapacity);
}
