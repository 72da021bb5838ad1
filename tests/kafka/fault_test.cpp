// Fault injection with the mock cluster while records stream through the outbox: request errors,
// a broker that goes down for longer than kafka.message_timeout (so the relay purges what it gave
// librdkafka, re-creates the producer and produces the rows again), a slow broker. Every record must arrive, in order per key.
// Also: while Kafka is unreachable the backlog waits in SQL, not in memory, and drains after.

#include <gtest/gtest.h>

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <thread>

#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka_test_support.hpp"
#include "switchboard/v1/envelope.pb.h"

namespace switchboard::test {
namespace {

using namespace std::chrono_literals;

constexpr int kProduceApiKey = 0;  // RD_KAFKAP_Produce

host::OutboxRecord streamRecord(int key, int n) {
  sdk::InboundMessage m;
  m.account = "15550001111";
  m.conversation = "conv-" + std::to_string(key);
  m.id = m.conversation + "/" + std::to_string(n);
  m.networkId = "3EB0" + std::to_string(key) + "_" + std::to_string(n);
  m.text = std::to_string(n);
  m.timestamp = host::nowMs();
  return host::inboundRecord(m);
}

struct Check {
  std::size_t distinct = 0, duplicates = 0, outOfOrder = 0;
  // Values that are not their own record's: librdkafka reads the stored payloads in place, so a
  // page handed back for reuse before its last delivery report would show here.
  std::size_t foreignValues = 0;
};

// First occurrence of each id per key must come in increasing n; duplicates (same ce_id) are
// allowed by the at-least-once contract and counted.
Check checkStream(const std::vector<Record>& records) {
  Check c;
  std::map<std::string, int> lastFirstSeen;
  std::set<std::string> seen;
  for (const auto& r : records) {
    const auto& id = r.headers.at("ce_id");
    // The Envelope holds the message id as a length-prefixed string (protobuf) or a quoted one
    // (JSON): either way "conv-1/1" is not found in the value of "conv-1/10".
    if (r.value.find(static_cast<char>(id.size()) + id) == std::string::npos &&
        r.value.find('"' + id + '"') == std::string::npos) {
      ++c.foreignValues;
    }
    if (!seen.insert(id).second) {
      ++c.duplicates;
      continue;
    }
    int n = std::stoi(id.substr(id.find('/') + 1));
    auto it = lastFirstSeen.find(r.key);
    if (it != lastFirstSeen.end() && it->second >= n) {
      ++c.outOfOrder;
      std::cout << "out of order: key " << r.key << " record " << n << " after " << it->second << " at partition "
                << r.partition << " offset " << r.offset << "\n";
    }
    lastFirstSeen[r.key] = n;
  }
  c.distinct = seen.size();
  return c;
}

TEST(KafkaFault, EveryRecordArrivesInOrderPerKeyThroughErrorsOutageAndSlowness) {
  TempDir dir;
  auto store = openTestStore(dir.path());
  TestSink sink(store, {"15550001111"});
  host::MetricsRegistry metrics;
  host::KafkaBridge bridge(kafkaSection("protobuf", {{"message_timeout", sdk::ConfigValue::ofInt(2000)},
                                                     {"max_in_flight", sdk::ConfigValue::ofInt(2000)}}),
                           store, sink, metrics);
  ASSERT_TRUE(bridge.start().ok());
  auto* broker = bridge.embeddedBroker();
  ASSERT_NE(broker, nullptr);

  constexpr int kKeys = 12;
  constexpr int kPerKey = 250;
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    // 3000 records over ~9 s, in batches, round-robin over keys.
    for (int n = 0; n < kPerKey; n += 5) {
      std::vector<host::OutboxRecord> batch;
      for (int k = 0; k < kKeys; ++k) {
        for (int j = n; j < n + 5; ++j) {
          batch.push_back(streamRecord(k, j));
        }
      }
      EXPECT_TRUE(store->enqueue(batch).ok());
      bridge.notifyOutbox();
      std::this_thread::sleep_for(180ms);
    }
    writing = false;
  });

  std::this_thread::sleep_for(1s);
  // Request errors: retriable ones librdkafka retries itself (idempotence keeps the order).
  broker->pushRequestErrors(kProduceApiKey, {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                             RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                             RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                                             RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS});
  std::this_thread::sleep_for(1s);
  // Down for longer than the message timeout: deliveries fail and must be produced again.
  broker->setBrokerDown(1);
  std::this_thread::sleep_for(4s);
  broker->setBrokerUp(1);
  std::this_thread::sleep_for(1s);
  // A slow broker.
  broker->setBrokerRtt(1, 300);
  std::this_thread::sleep_for(2s);
  broker->setBrokerRtt(1, 0);
  writer.join();

  ASSERT_TRUE(eventually([&] { return store->outboxDepth().valueOr(-1) == 0; }, 90s))
      << "outbox depth " << store->outboxDepth().valueOr(-1);
  const std::size_t total = kKeys * kPerKey;
  auto records = readTopic(bridge.bootstrapServers(), "switchboard.inbound", total * 2, 15s);
  auto check = checkStream(records);
  EXPECT_EQ(check.distinct, total) << "records lost";
  EXPECT_EQ(check.outOfOrder, 0u);
  EXPECT_EQ(check.foreignValues, 0u);
  // The outage must really have failed records in librdkafka, or this test proves nothing.
  EXPECT_GT(metrics.value("kafka_produce_failed_total"), 0);
  EXPECT_GE(metrics.value("kafka_producer_recreated_total"), 1);
  std::cout << "records=" << records.size() << " distinct=" << check.distinct << " duplicates=" << check.duplicates
            << " failed_deliveries=" << metrics.value("kafka_produce_failed_total")
            << " producers_recreated=" << metrics.value("kafka_producer_recreated_total") << "\n";
  bridge.stop(2s);
}

TEST(KafkaFault, BacklogWaitsInSqlWhileKafkaIsDownAndDrainsAfter) {
  TempDir dir;
  auto store = openTestStore(dir.path());
  TestSink sink(store, {"15550001111"});
  host::MetricsRegistry metrics;
  host::KafkaBridge bridge(kafkaSection("json", {{"outbox_limit", sdk::ConfigValue::ofInt(300)},
                                                 {"max_in_flight", sdk::ConfigValue::ofInt(100)},
                                                 {"outbox_batch", sdk::ConfigValue::ofInt(50)}}),
                           store, sink, metrics);
  ASSERT_TRUE(bridge.start().ok());
  auto* broker = bridge.embeddedBroker();
  broker->setBrokerDown(1);
  std::vector<host::OutboxRecord> batch;
  for (int n = 0; n < 1000; ++n) {
    batch.push_back(streamRecord(n % 7, n));
  }
  ASSERT_TRUE(store->enqueue(batch).ok());
  bridge.notifyOutbox();
  ASSERT_TRUE(eventually([&] { return bridge.outboxOverLimit(); }, 5s)) << "no alarm";
  EXPECT_EQ(metrics.value("kafka_outbox_over_limit"), 1);
  EXPECT_GE(metrics.value("kafka_outbox_depth"), 900);
  // Memory holds at most max_in_flight records; the rest waits in SQL.
  EXPECT_LE(metrics.value("kafka_in_flight"), 100);
  EXPECT_EQ(store->outboxDepth().valueOr(0), 1000);

  broker->setBrokerUp(1);
  ASSERT_TRUE(eventually([&] { return store->outboxDepth().valueOr(-1) == 0; }, 60s));
  ASSERT_TRUE(eventually([&] { return !bridge.outboxOverLimit(); }, 5s));
  auto records = readTopic(bridge.bootstrapServers(), "switchboard.inbound", 1000, 15s);
  auto check = checkStream(records);
  EXPECT_EQ(check.distinct, 1000u);
  EXPECT_EQ(check.outOfOrder, 0u);
  EXPECT_EQ(check.foreignValues, 0u);
  bridge.stop(2s);
}

}  // namespace
}  // namespace switchboard::test
