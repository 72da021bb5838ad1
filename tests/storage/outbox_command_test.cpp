#include "storage_fixture.hpp"
#include "storage/stable_ids.hpp"

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
