#include <set>

#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/sql_store.hpp"
#include "storage/stable_ids.hpp"
#include "storage_fixture.hpp"

namespace switchboard::host::test {
namespace {

OutboxRecord record(const std::string& ceId) {
  OutboxRecord r;
  r.topic = "events";
  r.key = "k-" + ceId;
  r.ceId = ceId;
  r.ceType = "switchboard.v1.Event";
  r.tenant = "default";
  r.payload = "payload-" + ceId;
  return r;
}

TEST_P(StorageTest, OutboxInSeqOrderAndMarkProduced) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->enqueue({record("a"), record("b"), record("c")}).ok());
  ASSERT_TRUE(store->enqueue({record("d"), record("e")}).ok());
  auto first = store->pendingOutbox(0, 3);
  ASSERT_TRUE(first.ok()) << first.error().describe();
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ((*first)[0].ceId, "a");
  EXPECT_EQ((*first)[2].ceId, "c");
  EXPECT_LT((*first)[0].seq, (*first)[1].seq);
  EXPECT_LT((*first)[1].seq, (*first)[2].seq);
  auto rest = store->pendingOutbox((*first)[2].seq, 10);
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].ceId, "d");
  EXPECT_EQ((*rest)[1].payload, "payload-e");
  ASSERT_TRUE(store->markProduced({(*first)[0].seq, (*first)[2].seq}).ok());
  EXPECT_EQ(*store->outboxDepth(), 3);
  auto left = store->pendingOutbox(0, 10);
  ASSERT_EQ(left->size(), 3u);
  EXPECT_EQ((*left)[0].ceId, "b");
}

// Deletions commit without waiting for the disk; the connection must come back with its own
// durability setting, or the next transaction on it (an inbound message) would not wait either.
TEST_P(StorageTest, MarkProducedLeavesTheConnectionsDurabilityAsConfigured) {
  auto store = open({{"pool_size", sdk::ConfigValue::ofInt(1)}});
  ASSERT_TRUE(store);
  auto* sql = dynamic_cast<storage::SqlStore*>(store.get());
  ASSERT_NE(sql, nullptr);
  auto settings = [&] {
    return sql->db().run<std::string>([](storage::Connection& c) -> sdk::Result<std::string> {
      std::string out;
      if (c.dialect == storage::Dialect::Postgres) {
        c.sql << "SHOW synchronous_commit", soci::into(out);
        return out;
      }
      int sync = -1, secure = -1;
      c.sql << "PRAGMA synchronous", soci::into(sync);
      c.sql << "PRAGMA secure_delete", soci::into(secure);
      return std::to_string(sync) + "/" + std::to_string(secure);
    });
  };
  if (isPostgres()) {
    // The test server runs with synchronous_commit off; the session asks for it on, as a
    // durable deployment has it.
    auto on = sql->db().run<bool>([](storage::Connection& c) -> sdk::Result<bool> {
      c.sql << "SET synchronous_commit TO on";
      return true;
    });
    ASSERT_TRUE(on.ok()) << on.error().describe();
  }
  auto before = settings();
  ASSERT_TRUE(before.ok()) << before.error().describe();
  if (isPostgres()) {
    EXPECT_EQ(*before, "on");
  } else {
    EXPECT_EQ(before->substr(0, 2), "2/");  // FULL (whatever secure_delete the build defaults to)
  }
  ASSERT_TRUE(store->enqueue({record("a"), record("b"), record("c"), record("d")}).ok());
  auto rows = store->pendingOutbox(0, 10);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 4u);
  // Two runs (a-b, d) with c between them kept.
  ASSERT_TRUE(store->markProduced({(*rows)[3].seq, (*rows)[0].seq, (*rows)[1].seq}).ok());
  auto after = settings();
  ASSERT_TRUE(after.ok()) << after.error().describe();
  EXPECT_EQ(*after, *before);
  auto left = store->pendingOutbox(0, 10);
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ((*left)[0].ceId, "c");
  // The same connection still commits what it is given.
  ASSERT_TRUE(store->enqueue({record("e")}).ok());
  EXPECT_EQ(*store->outboxDepth(), 2);
}

TEST_P(StorageTest, OutboxKeepsPayloadBytesAndFormat) {
  auto store = open();
  ASSERT_TRUE(store);
  std::string every;
  for (int b = 0; b < 256; ++b) {
    every += static_cast<char>(b);
  }
  auto bytes = record("bytes");
  bytes.payload = every + every;
  auto json = record("json");
  json.payload = "{\"id\":\"json\",\"text\":\"caf\u00e9\"}";
  json.payloadFormat = PayloadFormat::Json;
  auto empty = record("empty");
  empty.payload.clear();
  ASSERT_TRUE(store->enqueue({bytes, json, empty}).ok());
  auto rows = store->pendingOutbox(0, 10);
  ASSERT_TRUE(rows.ok()) << rows.error().describe();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].payload, bytes.payload);
  EXPECT_EQ((*rows)[0].payloadFormat, PayloadFormat::Protobuf);
  EXPECT_EQ((*rows)[1].payload, json.payload);
  EXPECT_EQ((*rows)[1].payloadFormat, PayloadFormat::Json);
  EXPECT_EQ((*rows)[2].payload, "");

  // Reading into records that held other rows before: every field is replaced, the size fits.
  std::vector<OutboxRecord> reused(5, record("stale"));
  reused[0].payloadFormat = PayloadFormat::Json;
  reused[0].assignee = "someone";
  ASSERT_TRUE(store->pendingOutboxInto((*rows)[0].seq, 10, reused).ok());
  ASSERT_EQ(reused.size(), 2u);
  EXPECT_EQ(reused[0].ceId, "json");
  EXPECT_EQ(reused[0].payload, json.payload);
  EXPECT_EQ(reused[0].assignee, "");
  EXPECT_EQ(reused[1].ceId, "empty");
  EXPECT_EQ(reused[1].payloadFormat, PayloadFormat::Protobuf);
  EXPECT_EQ(reused[1].payload, "");
}

TEST_P(StorageTest, MarkProducedDeletesExactlyTheListedRows) {
  auto store = open();
  ASSERT_TRUE(store);
  std::vector<OutboxRecord> records;
  for (int i = 0; i < 30; ++i) {
    records.push_back(record("r" + std::to_string(i)));
  }
  ASSERT_TRUE(store->enqueue(records).ok());
  auto all = store->pendingOutbox(0, 100);
  ASSERT_EQ(all->size(), 30u);
  auto seq = [&](int i) { return (*all)[static_cast<std::size_t>(i)].seq; };
  // Runs, single rows, gaps of one, unsorted and repeated, as delivery reports of several
  // partitions arrive.
  std::vector<std::int64_t> done = {seq(12), seq(3), seq(0), seq(1), seq(2), seq(4), seq(6), seq(3),
                                    seq(10), seq(11), seq(29), seq(20), seq(22), seq(21)};
  ASSERT_TRUE(store->markProduced(done).ok());
  std::set<std::string> expected;
  for (int i : {5, 7, 8, 9, 13, 14, 15, 16, 17, 18, 19, 23, 24, 25, 26, 27, 28}) {
    expected.insert("r" + std::to_string(i));
  }
  auto left = store->pendingOutbox(0, 100);
  ASSERT_TRUE(left.ok());
  std::set<std::string> got;
  for (const auto& r : *left) {
    got.insert(r.ceId);
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(*store->outboxDepth(), static_cast<std::int64_t>(expected.size()));
  // Marking rows that are already gone changes nothing else.
  ASSERT_TRUE(store->markProduced({seq(0), seq(1)}).ok());
  EXPECT_EQ(*store->outboxDepth(), static_cast<std::int64_t>(expected.size()));
}

TEST_P(StorageTest, OutboxRowsFromSchemaVersionOneAreStillProduced) {
  // A database written by the previous version, with a record still pending: base64 text in
  // outbox.payload. The upgrade keeps it, and it reads back as the bytes it was.
  {
    auto db = storage::Database::open({url_, 1});
    ASSERT_TRUE(db.ok()) << db.error().describe();
    std::vector<storage::Migration> first = {storage::knownMigrations().front()};
    ASSERT_TRUE(storage::migrate(**db, first).ok());
    auto inserted = (*db)->run<bool>([](storage::Connection& c) -> sdk::Result<bool> {
      c.sql << "INSERT INTO outbox (tenant, topic, msg_key, ce_id, ce_type, account, conversation_id, assignee,"
               " payload, created_at, attempts) VALUES ('default', 'events', 'k', 'old', 'switchboard.v1.Event',"
               " 'acc', '', '', 'AP8Kb2xk', 5, 0)";  // base64 of 00 ff 0a 'o' 'l' 'd'
      return true;
    });
    ASSERT_TRUE(inserted.ok()) << inserted.error().describe();
  }
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->enqueue({record("new")}).ok());
  auto rows = store->pendingOutbox(0, 10);
  ASSERT_TRUE(rows.ok()) << rows.error().describe();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].ceId, "old");
  EXPECT_EQ((*rows)[0].payload, std::string("\x00\xff\x0aold", 6));
  EXPECT_EQ((*rows)[0].payloadFormat, PayloadFormat::Protobuf);
  EXPECT_EQ((*rows)[0].createdAtMs, 5);
  EXPECT_EQ((*rows)[1].payload, "payload-new");
  ASSERT_TRUE(store->markProduced({(*rows)[0].seq, (*rows)[1].seq}).ok());
  EXPECT_EQ(*store->outboxDepth(), 0);
}

sdk::OutboundCommand command(const std::string& id, const std::string& tenant = "default") {
  sdk::OutboundCommand c;
  c.commandId = id;
  c.tenant = tenant;
  c.account = "15550000001";
  c.kind = sdk::CommandKind::SendText;
  c.to = "+1 555 111 2222";
  c.text = "hello " + id;
  c.templateParams = {{"name", "Ann"}};
  c.createdAt = 1000;
  return c;
}

TEST_P(StorageTest, EveryCommandKindComesBackAsStoredFromThePendingCommands) {
  auto store = open();
  ASSERT_TRUE(store);
  const sdk::CommandKind kinds[] = {sdk::CommandKind::SendText,      sdk::CommandKind::SendMedia,
                                    sdk::CommandKind::SendTemplate,  sdk::CommandKind::SendReaction,
                                    sdk::CommandKind::MarkRead,      sdk::CommandKind::Assign,
                                    sdk::CommandKind::Transfer,      sdk::CommandKind::Close,
                                    sdk::CommandKind::SetAgentStatus, sdk::CommandKind::EditMessage,
                                    sdk::CommandKind::DeleteMessage};
  for (auto k : kinds) {
    auto c = command(std::string("k-") + sdk::toString(k));
    c.kind = k;
    c.targetId = "3EB0TARGET";
    ASSERT_TRUE(store->storeCommand(c, "raw").ok()) << sdk::toString(k);
  }
  auto pending = store->pendingCommands(100);
  ASSERT_TRUE(pending.ok()) << pending.error().describe();
  ASSERT_EQ(pending->size(), std::size(kinds));
  for (const auto& p : pending.value()) {
    EXPECT_EQ(p.commandId, std::string("k-") + sdk::toString(p.kind));
    EXPECT_EQ(p.targetId, "3EB0TARGET");
  }
}

TEST_P(StorageTest, CommandsAreIdempotentAndResultsAdvance) {
  auto store = open();
  ASSERT_TRUE(store);
  auto first = store->storeCommand(command("cmd-1"), "raw-bytes-1");
  ASSERT_TRUE(first.ok()) << first.error().describe();
  EXPECT_TRUE(first->inserted);
  auto again = store->storeCommand(command("cmd-1"), "raw-bytes-1");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->inserted);
  ASSERT_TRUE(again->previous.has_value());
  EXPECT_EQ(again->previous->stage, sdk::ResultStage::Accepted);
  // Same command id in another tenant is another command.
  EXPECT_TRUE(store->storeCommand(command("cmd-1", "acme"), "raw")->inserted);

  auto pending = store->pendingCommands(10);
  ASSERT_TRUE(pending.ok()) << pending.error().describe();
  ASSERT_EQ(pending->size(), 2u);
  const auto& p = (*pending)[0];
  EXPECT_EQ(p.commandId, "cmd-1");
  EXPECT_EQ(p.text, "hello cmd-1");
  EXPECT_EQ(p.templateParams.at("name"), "Ann");
  EXPECT_EQ(p.kind, sdk::CommandKind::SendText);

  sdk::CommandResult sent;
  sent.commandId = "cmd-1";
  sent.tenant = "default";
  sent.account = "15550000001";
  sent.stage = sdk::ResultStage::Sent;
  sent.networkId = "3EB0ABC";
  sent.timestamp = 2000;
  ASSERT_TRUE(store->recordResult(sent, record("result-1")).ok());
  EXPECT_EQ(*store->outboxDepth(), 1);
  auto dup = store->storeCommand(command("cmd-1"), "raw-bytes-1");
  ASSERT_TRUE(dup->previous.has_value());
  EXPECT_EQ(dup->previous->stage, sdk::ResultStage::Sent);
  EXPECT_EQ(dup->previous->networkId, "3EB0ABC");
  EXPECT_EQ(store->pendingCommands(10)->size(), 1u);

  // Receipts only move forward.
  sdk::CommandResult read = sent;
  read.stage = sdk::ResultStage::Read;
  read.networkId.clear();
  ASSERT_TRUE(store->recordResult(read, {}).ok());
  sdk::CommandResult delivered = sent;
  delivered.stage = sdk::ResultStage::Delivered;
  ASSERT_TRUE(store->recordResult(delivered, {}).ok());
  auto after = store->storeCommand(command("cmd-1"), "raw");
  EXPECT_EQ(after->previous->stage, sdk::ResultStage::Read);
  EXPECT_EQ(after->previous->networkId, "3EB0ABC");

  // The outbound message shows in the conversation with the peer, with its status.
  auto conv = storage::conversationIdFor("default", "15550000001", "15551112222@s.whatsapp.net");
  auto msgs = store->tenant("default")->listMessages(conv, 10, std::nullopt);
  ASSERT_TRUE(msgs.ok()) << msgs.error().describe();
  ASSERT_EQ(msgs->size(), 1u);
  EXPECT_TRUE((*msgs)[0].outbound);
  EXPECT_EQ((*msgs)[0].status, "read");
  EXPECT_EQ((*msgs)[0].networkId, "3EB0ABC");
  EXPECT_EQ((*msgs)[0].text, "hello cmd-1");

  // An unknown command: a permanent error and no outbox row (the transaction rolled back).
  sdk::CommandResult unknown = sent;
  unknown.commandId = "nope";
  auto bad = store->recordResult(unknown, record("result-x"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().cls, sdk::ErrorClass::Permanent);
  EXPECT_EQ(*store->outboxDepth(), 1);
}

}  // namespace
}  // namespace switchboard::host::test
