#include "storage_fixture.hpp"

namespace switchboard::host::test {
namespace {

TEST_P(StorageTest, StoresBatchAndAssignsIds) {
  auto store = open();
  ASSERT_TRUE(store);
  std::vector<InboundWrite> batch = {makeInbound("default", "15550000001", "15551112222", "W1", "hello", 1000),
                                     makeInbound("default", "15550000001", "15551112222", "W2", "again", 2000),
                                     makeInbound("default", "15550000001", "15553334444", "W3", "other", 1500)};
  auto r = store->storeInbound(batch);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(r->size(), 3u);
  const auto& s = *r;
  EXPECT_FALSE(s[0].duplicate);
  EXPECT_FALSE(s[0].id.empty());
  EXPECT_NE(s[0].id, s[1].id);
  EXPECT_EQ(s[0].conversation, s[1].conversation);
  EXPECT_NE(s[0].conversation, s[2].conversation);
  EXPECT_TRUE(s[0].newConversation);
  EXPECT_FALSE(s[1].newConversation);
  EXPECT_TRUE(s[2].newConversation);
  EXPECT_FALSE(s[0].contact.empty());
  EXPECT_EQ(s[0].contact, s[1].contact);
  EXPECT_NE(s[0].contact, s[2].contact);
  // The store fills in what it assigned.
  EXPECT_EQ(batch[0].message.conversation, s[0].conversation);
  EXPECT_EQ(batch[0].outbox.key, s[0].conversation);
  EXPECT_EQ(batch[0].outbox.conversation, s[0].conversation);

  auto depth = store->outboxDepth();
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(*depth, 3);
  auto pending = store->pendingOutbox(0, 10);
  ASSERT_TRUE(pending.ok()) << pending.error().describe();
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_EQ((*pending)[0].key, s[0].conversation);
  EXPECT_EQ((*pending)[0].ceId, s[0].id);
  EXPECT_EQ((*pending)[0].payload, std::string("\x0a\x00\xff", 3) + "hello");
  EXPECT_EQ((*pending)[0].tenant, "default");

  auto t = store->tenant("default");
  auto conv = t->getConversation(s[0].conversation);
  ASSERT_TRUE(conv.ok()) << conv.error().describe();
  ASSERT_TRUE(conv->has_value());
  EXPECT_EQ((*conv)->lastMessageAt, 2000);
  EXPECT_EQ((*conv)->contact, s[0].contact);
  EXPECT_EQ((*conv)->peer, "15551112222@s.whatsapp.net");
  auto msgs = t->listMessages(s[0].conversation, 10, std::nullopt);
  ASSERT_TRUE(msgs.ok()) << msgs.error().describe();
  ASSERT_EQ(msgs->size(), 2u);
  EXPECT_EQ((*msgs)[0].text, "again");  // newest first
  EXPECT_EQ((*msgs)[1].text, "hello");
  EXPECT_EQ((*msgs)[0].status, "received");
  auto older = t->listMessages(s[0].conversation, 10, 2000);
  ASSERT_TRUE(older.ok());
  ASSERT_EQ(older->size(), 1u);
  auto contact = t->findContactByPhone("+1 555 111 2222");
  ASSERT_TRUE(contact.ok());
  ASSERT_TRUE(contact->has_value());
  EXPECT_EQ((*contact)->id, s[0].contact);
  EXPECT_EQ((*contact)->name, "Peer 15551112222");

  auto session = store->readSignal(SignalWrite::Table::Session, "15550000001", "15551112222.0");
  ASSERT_TRUE(session.ok()) << session.error().describe();
  ASSERT_TRUE(session->has_value());
  EXPECT_EQ(**session, "session-state-W2");  // the later write in the batch wins
}

TEST_P(StorageTest, DuplicateChangesNothing) {
  auto store = open();
  ASSERT_TRUE(store);
  std::vector<InboundWrite> first = {makeInbound("default", "acc", "15551112222", "W1", "original", 1000)};
  auto a = store->storeInbound(first);
  ASSERT_TRUE(a.ok()) << a.error().describe();
  std::vector<InboundWrite> again = {makeInbound("default", "acc", "15551112222", "W1", "changed", 5000),
                                     makeInbound("default", "acc", "15551112222", "W2", "new", 6000),
                                     makeInbound("default", "acc", "15551112222", "W2", "new twice", 7000)};
  again[0].signal[0].value = "would-be-new-state";
  auto b = store->storeInbound(again);
  ASSERT_TRUE(b.ok()) << b.error().describe();
  EXPECT_TRUE((*b)[0].duplicate);
  EXPECT_EQ((*b)[0].id, (*a)[0].id);
  EXPECT_FALSE((*b)[1].duplicate);
  EXPECT_TRUE((*b)[2].duplicate);  // a duplicate within one batch
  EXPECT_EQ((*b)[2].id, (*b)[1].id);
  EXPECT_EQ(*store->outboxDepth(), 2);
  auto msgs = store->tenant("default")->listMessages((*a)[0].conversation, 10, std::nullopt);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 2u);
  EXPECT_EQ((*msgs)[1].text, "original");
  EXPECT_EQ((*msgs)[0].text, "new");
  auto conv = store->tenant("default")->getConversation((*a)[0].conversation);
  EXPECT_EQ((*conv)->lastMessageAt, 6000);
  auto session = store->readSignal(SignalWrite::Table::Session, "acc", "15551112222.0");
  EXPECT_EQ(**session, "session-state-W2");

  // The same in a larger batch (PostgreSQL writes those with one statement per table).
  std::vector<InboundWrite> big;
  for (const char* id : {"W1", "W3", "W4", "W3", "W2", "W5"}) {
    big.push_back(makeInbound("default", "acc", "15551112222", id, std::string("big ") + id, 8000));
  }
  auto c = store->storeInbound(big);
  ASSERT_TRUE(c.ok()) << c.error().describe();
  const std::vector<bool> expected = {true, false, false, true, true, false};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ((*c)[i].duplicate, expected[i]) << i;
  }
  EXPECT_EQ((*c)[3].id, (*c)[1].id);
  EXPECT_EQ((*c)[0].id, (*a)[0].id);
  EXPECT_EQ(*store->outboxDepth(), 5);
  EXPECT_EQ(store->tenant("default")->listMessages((*a)[0].conversation, 10, std::nullopt)->size(), 5u);
  EXPECT_EQ(**store->readSignal(SignalWrite::Table::Session, "acc", "15551112222.0"), "session-state-W5");
}

TEST_P(StorageTest, RedeliveredStanzaIsServedFromStorage) {
  auto store = open();
  ASSERT_TRUE(store);
  auto w = makeInbound("default", "acc", "15551112222", "W9", "plaintext body", 1234);
  w.message.kind = sdk::MessageKind::Image;
  w.message.media = sdk::Media{"image/jpeg", "blob:1", "", "a caption", 42, "abcd", 640, 480, 0};
  w.message.replyTo = "W8";
  std::vector<InboundWrite> batch = {w};
  ASSERT_TRUE(store->storeInbound(batch).ok());
  auto found = store->findByCiphertext("acc", "hash-W9");
  ASSERT_TRUE(found.ok()) << found.error().describe();
  ASSERT_TRUE(found->has_value());
  const auto& m = **found;
  EXPECT_EQ(m.text, "plaintext body");
  EXPECT_EQ(m.networkId, "W9");
  EXPECT_EQ(m.kind, sdk::MessageKind::Image);
  ASSERT_TRUE(m.media.has_value());
  EXPECT_EQ(m.media->caption, "a caption");
  EXPECT_EQ(m.media->width, 640u);
  EXPECT_EQ(m.replyTo, "W8");
  EXPECT_EQ(m.timestamp, 1234);
  EXPECT_EQ(m.conversation, batch[0].message.conversation);
  EXPECT_FALSE(store->findByCiphertext("acc", "hash-unknown")->has_value());
  EXPECT_FALSE(store->findByCiphertext("other-account", "hash-W9")->has_value());

  // Through the dedupe key: the same network id and the same ciphertext, nothing else.
  auto again = store->findRedelivery("acc", "W9", "hash-W9");
  ASSERT_TRUE(again.ok()) << again.error().describe();
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->text, "plaintext body");
  EXPECT_EQ((*again)->kind, sdk::MessageKind::Image);
  EXPECT_EQ((*again)->conversation, batch[0].message.conversation);
  EXPECT_FALSE(store->findRedelivery("acc", "W9", "hash-other")->has_value());
  EXPECT_FALSE(store->findRedelivery("acc", "W8", "hash-W9")->has_value());
  EXPECT_FALSE(store->findRedelivery("other-account", "W9", "hash-W9")->has_value());
  EXPECT_FALSE(store->findRedelivery("acc", "", "hash-W9")->has_value());
}

TEST_P(StorageTest, RedeliveryIsFoundUnderTheAccountsTenant) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->createTenant("acme", "Acme").ok());
  ASSERT_TRUE(store->upsertAccount({"acme-acc", "acme", "", "", "paired"}).ok());
  std::vector<InboundWrite> batch = {makeInbound("acme", "acme-acc", "15551112222", "A1", "for acme", 10)};
  ASSERT_TRUE(store->storeInbound(batch).ok());
  auto found = store->findRedelivery("acme-acc", "A1", "hash-A1");
  ASSERT_TRUE(found.ok()) << found.error().describe();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->tenant, "acme");
  EXPECT_EQ((*found)->text, "for acme");
  // Another account of the same id space finds nothing of it.
  EXPECT_FALSE(store->findRedelivery("acc", "A1", "hash-A1")->has_value());
}

TEST_P(StorageTest, ClosedConversationReopensAndGroupsUseTheAuthor) {
  auto store = open();
  ASSERT_TRUE(store);
  std::vector<InboundWrite> b1 = {makeInbound("default", "acc", "15551112222", "W1", "hi", 1000)};
  auto r1 = store->storeInbound(b1);
  ASSERT_TRUE(r1.ok());
  auto t = store->tenant("default");
  ASSERT_TRUE(t->setConversationStatus((*r1)[0].conversation, sdk::ConversationStatus::Closed).ok());
  std::vector<InboundWrite> b2 = {makeInbound("default", "acc", "15551112222", "W2", "back", 2000)};
  auto r2 = store->storeInbound(b2);
  ASSERT_TRUE(r2.ok());
  EXPECT_TRUE((*r2)[0].newConversation);
  EXPECT_EQ((*t->getConversation((*r1)[0].conversation))->status, sdk::ConversationStatus::Open);

  auto g = makeInbound("default", "acc", "15557778888", "G1", "group hi", 3000);
  g.message.isGroup = true;
  g.message.chat = "120363000000000001@g.us";
  std::vector<InboundWrite> b3 = {g};
  auto r3 = store->storeInbound(b3);
  ASSERT_TRUE(r3.ok()) << r3.error().describe();
  auto conv = t->getConversation((*r3)[0].conversation);
  EXPECT_EQ((*conv)->peer, "120363000000000001@g.us");
  auto author = t->getContact((*r3)[0].contact);
  ASSERT_TRUE(author->has_value());
  EXPECT_EQ((*author)->phone, "15557778888");
}

TEST_P(StorageTest, LargeBatchReopensGroupsAndSignalDeletes) {
  auto store = open();
  ASSERT_TRUE(store);
  auto t = store->tenant("default");
  std::vector<InboundWrite> first = {makeInbound("default", "acc", "15551112222", "A1", "hi", 1000)};
  auto r1 = store->storeInbound(first);
  ASSERT_TRUE(r1.ok());
  ASSERT_TRUE(t->setConversationStatus((*r1)[0].conversation, sdk::ConversationStatus::Closed).ok());
  ASSERT_TRUE(store->writeSignal({{SignalWrite::Table::PreKey, "acc", "17", "prekey"}}).ok());

  std::vector<InboundWrite> batch;
  batch.push_back(makeInbound("default", "acc", "15551112222", "B1", "back", 2000));   // reopens
  batch.push_back(makeInbound("default", "acc", "15551112222", "B2", "again", 2500));  // same conversation
  auto g = makeInbound("default", "acc", "15557778888", "B3", "group", 3000);
  g.message.isGroup = true;
  g.message.chat = "120363000000000001@g.us";
  batch.push_back(g);
  batch.push_back(makeInbound("default", "acc", "15553334444", "B4", "new", 4000));
  batch.back().signal.push_back({SignalWrite::Table::PreKey, "acc", "17", std::nullopt});  // prekey used up
  auto r = store->storeInbound(batch);
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_TRUE((*r)[0].newConversation);
  EXPECT_FALSE((*r)[1].newConversation);
  EXPECT_TRUE((*r)[2].newConversation);
  EXPECT_TRUE((*r)[3].newConversation);
  auto reopened = t->getConversation((*r1)[0].conversation);
  EXPECT_EQ((*reopened)->status, sdk::ConversationStatus::Open);
  EXPECT_EQ((*reopened)->lastMessageAt, 2500);
  EXPECT_EQ((*reopened)->contact, (*r1)[0].contact);
  auto group = t->getConversation((*r)[2].conversation);
  EXPECT_EQ((*group)->peer, "120363000000000001@g.us");
  EXPECT_EQ((*t->getContact((*r)[2].contact))->phone, "15557778888");
  EXPECT_FALSE(store->readSignal(SignalWrite::Table::PreKey, "acc", "17")->has_value());
  EXPECT_EQ(*store->outboxDepth(), 5);
  auto pending = store->pendingOutbox(0, 10);
  ASSERT_EQ(pending->size(), 5u);
  for (std::size_t i = 1; i < pending->size(); ++i) {
    EXPECT_LT((*pending)[i - 1].seq, (*pending)[i].seq);
    EXPECT_EQ((*pending)[i].ceId, (*r)[i - 1].id);  // outbox order is batch order
  }
}

TEST_P(StorageTest, SignalWritesOfABatchApplyInOrder) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->writeSignal({{SignalWrite::Table::PreKey, "acc", "7", "old-prekey-7"}}).ok());
  // The batch's writes are applied once per row at the end; the result must be what applying
  // them one by one gives: the last write of each row wins, deletes included.
  for (std::size_t size : {3u, 6u}) {  // row by row, and (PostgreSQL) one statement per table
    std::vector<InboundWrite> batch;
    for (std::size_t i = 0; i < size; ++i) {
      batch.push_back(makeInbound("default", "acc", "15551112222", "S" + std::to_string(size) + std::to_string(i),
                                  "x", 100 + static_cast<std::int64_t>(i)));
    }
    batch[0].signal.push_back({SignalWrite::Table::PreKey, "acc", "5", std::string("p5")});
    batch[0].signal.push_back({SignalWrite::Table::PreKey, "acc", "7", std::nullopt});
    batch[1].signal.push_back({SignalWrite::Table::PreKey, "acc", "5", std::nullopt});
    batch[1].signal.push_back({SignalWrite::Table::PreKey, "acc", "7", std::string("new-prekey-7")});
    batch[2].signal.push_back({SignalWrite::Table::Identity, "acc", "15551112222.0", std::string("id")});
    auto r = store->storeInbound(batch);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_FALSE(store->readSignal(SignalWrite::Table::PreKey, "acc", "5")->has_value());
    EXPECT_EQ(**store->readSignal(SignalWrite::Table::PreKey, "acc", "7"), "new-prekey-7");
    EXPECT_EQ(**store->readSignal(SignalWrite::Table::Identity, "acc", "15551112222.0"), "id");
    EXPECT_EQ(**store->readSignal(SignalWrite::Table::Session, "acc", "15551112222.0"),
              "session-state-S" + std::to_string(size) + std::to_string(size - 1));
    ASSERT_TRUE(store->writeSignal({{SignalWrite::Table::PreKey, "acc", "7", "old-prekey-7"}}).ok());
  }
}

TEST_P(StorageTest, OutboxEncoderSeesAssignedIds) {
  auto store = open();
  ASSERT_TRUE(store);
  for (std::size_t size : {1u, 6u}) {  // row by row, and (PostgreSQL) one statement per table
    std::vector<InboundWrite> batch;
    for (std::size_t i = 0; i < size; ++i) {
      auto w = makeInbound("default", "acc", "1555000" + std::to_string(2000 + i),
                           "E" + std::to_string(size) + "-" + std::to_string(i), "x", 1);
      w.encode = [](const sdk::InboundMessage& m) {
        OutboxRecord r;
        r.topic = "inbound";
        r.payload = m.id + "|" + m.conversation;
        return r;
      };
      batch.push_back(std::move(w));
    }
    auto r = store->storeInbound(batch);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    auto pending = store->pendingOutbox(0, 100);
    ASSERT_TRUE(pending.ok());
    ASSERT_GE(pending->size(), size);
    for (std::size_t i = 0; i < size; ++i) {
      const auto& rec = (*pending)[pending->size() - size + i];
      EXPECT_EQ(rec.payload, (*r)[i].id + "|" + (*r)[i].conversation);
      EXPECT_EQ(rec.key, (*r)[i].conversation);
      EXPECT_EQ(rec.ceId, (*r)[i].id);
    }
  }
}

TEST_P(StorageTest, SignalReadWriteDelete) {
  auto store = open();
  ASSERT_TRUE(store);
  using T = SignalWrite::Table;
  for (T table : {T::Identity, T::Session, T::PreKey, T::SignedPreKey, T::SenderKey}) {
    ASSERT_TRUE(store->writeSignal({{table, "acc", "k1", std::string("v\0x", 3)}}).ok());
    auto v = store->readSignal(table, "acc", "k1");
    ASSERT_TRUE(v.ok()) << v.error().describe();
    ASSERT_TRUE(v->has_value());
    EXPECT_EQ(**v, std::string("v\0x", 3));
    EXPECT_FALSE(store->readSignal(table, "acc2", "k1")->has_value());
  }
  ASSERT_TRUE(store->writeSignal({{T::PreKey, "acc", "k1", std::nullopt}}).ok());
  EXPECT_FALSE(store->readSignal(T::PreKey, "acc", "k1")->has_value());
  EXPECT_TRUE(store->readSignal(T::Session, "acc", "k1")->has_value());
}

}  // namespace
}  // namespace switchboard::host::test
