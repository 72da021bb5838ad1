// The produced mark (schema version 8): on SQLite a delivered prefix of the outbox is recorded as
// one number, readers skip the rows at or below it, and they are deleted later in bulk. On
// PostgreSQL the mark is not offered and rows are deleted one by one.

#include "storage/sql_store.hpp"
#include "storage_fixture.hpp"

namespace switchboard::host::test {
namespace {

OutboxRecord markRecord(const std::string& ceId) {
  OutboxRecord r;
  r.topic = "inbound";
  r.key = "conv-" + ceId;
  r.ceId = ceId;
  r.ceType = "switchboard.v1.InboundMessage";
  r.tenant = "default";
  r.payload = "payload-" + ceId;
  return r;
}

std::int64_t rowsInTable(Store& store) {
  auto* sql = dynamic_cast<storage::SqlStore*>(&store);
  auto n = sql->db().run<std::int64_t>([](storage::Connection& c) -> sdk::Result<std::int64_t> {
    long long count = 0;
    c.sql << "SELECT COUNT(*) FROM outbox", soci::into(count);
    return static_cast<std::int64_t>(count);
  });
  return n.ok() ? *n : -1;
}

TEST_P(StorageTest, ProducedMarkHidesTheDeliveredPrefixUntilItsBulkDeletion) {
  auto store = open();
  ASSERT_TRUE(store);
  if (isPostgres()) {
    // Rows may commit out of seq order there, and daemons share the outbox: no mark.
    EXPECT_FALSE(store->producedMarkSupported());
    EXPECT_FALSE(store->markProducedUpTo(1).ok());
    auto purged = store->purgeProduced(10);
    ASSERT_TRUE(purged.ok());
    EXPECT_EQ(*purged, 0);
    return;
  }
  ASSERT_TRUE(store->producedMarkSupported());
  ASSERT_TRUE(store->enqueue({markRecord("a"), markRecord("b"), markRecord("c"), markRecord("d"),
                              markRecord("e")}).ok());
  auto rows = store->pendingOutbox(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 5u);
  const auto seq = [&](std::size_t i) { return (*rows)[i].seq; };

  // a, b, c delivered: hidden from readers and from the depth at once, still in the table.
  ASSERT_TRUE(store->markProducedUpTo(seq(2)).ok());
  auto left = store->pendingOutbox(0, 10);
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 2u);
  EXPECT_EQ((*left)[0].ceId, "d");
  EXPECT_EQ(*store->outboxDepth(), 2);
  EXPECT_EQ(rowsInTable(*store), 5);
  // A reader past the mark is not moved back.
  auto after = store->pendingOutbox(seq(3), 10);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].ceId, "e");

  // The mark never goes down (a late, lower one from an earlier attempt changes nothing).
  ASSERT_TRUE(store->markProducedUpTo(seq(0)).ok());
  EXPECT_EQ(*store->outboxDepth(), 2);

  // The bulk deletion goes in chunks of the oldest rows and never past the mark.
  auto purged = store->purgeProduced(2);
  ASSERT_TRUE(purged.ok()) << purged.error().describe();
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(rowsInTable(*store), 3);
  purged = store->purgeProduced(100);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(rowsInTable(*store), 2);
  purged = store->purgeProduced(100);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 0);

  // Everything delivered and deleted: a new row still gets a seq above the mark (seqs are never
  // reused), so it is not hidden.
  ASSERT_TRUE(store->markProducedUpTo(seq(4)).ok());
  purged = store->purgeProduced(100);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(rowsInTable(*store), 0);
  ASSERT_TRUE(store->enqueue({markRecord("f")}).ok());
  auto fresh = store->pendingOutbox(0, 10);
  ASSERT_TRUE(fresh.ok());
  ASSERT_EQ(fresh->size(), 1u);
  EXPECT_EQ((*fresh)[0].ceId, "f");
  EXPECT_GT((*fresh)[0].seq, seq(4));
  EXPECT_EQ(*store->outboxDepth(), 1);

  // Rows deleted one by one (delivered behind a failed one) and the mark work side by side.
  ASSERT_TRUE(store->markProduced({(*fresh)[0].seq}).ok());
  EXPECT_EQ(*store->outboxDepth(), 0);
}

TEST_P(StorageTest, ProducedMarkSurvivesReopening) {
  if (isPostgres()) {
    GTEST_SKIP() << "no produced mark on PostgreSQL";
  }
  std::int64_t last = 0;
  {
    auto store = open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(store->enqueue({markRecord("a"), markRecord("b"), markRecord("c")}).ok());
    auto rows = store->pendingOutbox(0, 10);
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->size(), 3u);
    last = (*rows)[2].seq;
    ASSERT_TRUE(store->markProducedUpTo((*rows)[1].seq).ok());
  }
  auto store = open();
  ASSERT_TRUE(store);
  auto rows = store->pendingOutbox(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].seq, last);
}

}  // namespace
}  // namespace switchboard::host::test
