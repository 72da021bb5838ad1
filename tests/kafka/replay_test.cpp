// Replay re-publishes stored inbound messages with their original ids, selected by account,
// conversation and time range.

#include <gtest/gtest.h>

#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka_test_support.hpp"

namespace switchboard::test {
namespace {

using namespace std::chrono_literals;

sdk::InboundMessage message(const std::string& account, const std::string& peer, int n, sdk::TimestampMs ts) {
  sdk::InboundMessage m;
  m.account = account;
  m.id = account + "-" + peer + "-" + std::to_string(n);
  m.networkId = "3EB0" + peer + std::to_string(n);
  m.chat = peer + "@s.whatsapp.net";
  m.sender = m.chat;
  m.text = "hello " + std::to_string(n);
  m.timestamp = ts;
  if (n == 2) {
    m.kind = sdk::MessageKind::Location;
    m.location = sdk::Location{48.85, 2.35, "Paris", ""};
  }
  return m;
}

TEST(KafkaReplay, RepublishesSelectedMessagesWithOriginalIds) {
  TempDir dir;
  auto store = openTestStore(dir.path());
  TestSink sink(store, {"15550001111", "15550002222"});
  host::MetricsRegistry metrics;
  host::KafkaBridge bridge(kafkaSection("json"), store, sink, metrics);
  ASSERT_TRUE(bridge.start().ok());

  // 2 accounts x 2 peers x 3 messages, timestamps 1000..; stored the way the pipeline stores them.
  std::vector<host::InboundWrite> writes;
  sdk::TimestampMs ts = 1'000;
  for (const char* account : {"15550001111", "15550002222"}) {
    for (const char* peer : {"15553330000", "15554440000"}) {
      for (int n = 0; n < 3; ++n) {
        host::InboundWrite w;
        w.message = message(account, peer, n, ts++);
        w.ciphertextHash = w.message.id;
        w.outbox = host::inboundRecord(w.message);
        writes.push_back(std::move(w));
      }
    }
  }
  auto stored = store->storeInbound(writes);
  ASSERT_TRUE(stored.ok()) << stored.error().describe();
  bridge.notifyOutbox();
  const std::string boot = bridge.bootstrapServers();
  ASSERT_EQ(readTopic(boot, "switchboard.inbound", 12, 15s).size(), 12u);

  host::ReplayRequest byAccount;
  byAccount.account = "15550002222";
  auto r1 = bridge.replay(byAccount);
  ASSERT_TRUE(r1.ok()) << r1.error().describe();
  EXPECT_EQ(r1->messages, 6);

  host::ReplayRequest byConversation;
  byConversation.conversation = (*stored)[0].conversation;
  byConversation.fromMs = 1'001;  // skips the first message of that conversation
  auto r2 = bridge.replay(byConversation);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->messages, 2);

  host::ReplayRequest byTime;
  byTime.fromMs = 1'003;
  byTime.toMs = 1'005;
  auto r3 = bridge.replay(byTime);
  ASSERT_TRUE(r3.ok());
  EXPECT_EQ(r3->messages, 2);

  auto all = readTopic(boot, "switchboard.inbound", 22, 15s);
  ASSERT_EQ(all.size(), 22u);
  std::map<std::string, int> copies;
  for (const auto& r : all) {
    ++copies[r.headers.at("ce_id")];
  }
  EXPECT_EQ(copies.size(), 12u);  // no new ids: every replayed record carries its original one
  EXPECT_EQ(copies["15550002222-15553330000-0"], 2);
  EXPECT_EQ(copies["15550001111-15553330000-1"], 2);
  EXPECT_EQ(copies["15550001111-15553330000-0"], 1);
  EXPECT_EQ(copies["15550001111-15554440000-0"], 2);  // ts 1003
  EXPECT_EQ(copies["15550001111-15554440000-1"], 2);  // ts 1004
  // The replayed location message kept its content.
  for (const auto& r : all) {
    if (r.headers.at("ce_id") == "15550002222-15554440000-2") {
      EXPECT_NE(r.value.find("\"latitude\":48.85"), std::string::npos) << r.value;
    }
  }
  EXPECT_EQ(metrics.value("kafka_replayed_total"), 10);
  bridge.stop(2s);
}

}  // namespace
}  // namespace switchboard::test
