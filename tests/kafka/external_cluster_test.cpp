// The bridge against a cluster it does not own (kafka.embedded: false, kafka.brokers): the broker
// runs in its own process (switchboard-kafka-mock), outlives a bridge restart, and keeps every
// record; librdkafka properties pass through, and a bad one is refused at start, by name.

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka_test_support.hpp"

namespace switchboard::test {
namespace {

using namespace std::chrono_literals;

class MockProcess {
 public:
  explicit MockProcess(const std::string& dir) : file_(dir + "/bootstrap") {
    pid_ = fork();
    if (pid_ == 0) {
      execl(SB_BINARY_DIR "/host/kafka/switchboard-kafka-mock", "switchboard-kafka-mock", "--partitions", "2",
            "--bootstrap-file", file_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  ~MockProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  std::string bootstrap() const {
    std::string line;
    eventually(
        [&] {
          std::ifstream in(file_);
          return static_cast<bool>(std::getline(in, line)) && !line.empty();
        },
        10s);
    return line;
  }

 private:
  std::string file_;
  pid_t pid_ = -1;
};

sdk::ConfigValue externalSection(const std::string& bootstrap, sdk::ConfigValue::Map properties) {
  return kafkaSection("json", {{"embedded", sdk::ConfigValue::ofBool(false)},
                               {"brokers", sdk::ConfigValue::ofList({sdk::ConfigValue::ofString(bootstrap)})},
                               {"properties", sdk::ConfigValue::ofMap(std::move(properties))}});
}

std::vector<host::OutboxRecord> batch(int from, int to) {
  std::vector<host::OutboxRecord> out;
  for (int n = from; n < to; ++n) {
    sdk::InboundMessage m;
    m.account = "15550001111";
    m.conversation = "conv-" + std::to_string(n % 3);
    m.id = m.conversation + "/" + std::to_string(n);
    m.text = std::to_string(n);
    m.timestamp = host::nowMs();
    out.push_back(host::inboundRecord(m));
  }
  return out;
}

TEST(KafkaExternal, BridgeRestartsAgainstABrokerInAnotherProcess) {
  TempDir dir;
  MockProcess mock(dir.path());
  const std::string boot = mock.bootstrap();
  ASSERT_FALSE(boot.empty());
  auto store = openTestStore(dir.path());
  TestSink sink(store, {"15550001111"});
  host::MetricsRegistry metrics;

  {
    host::KafkaBridge bad(externalSection(boot, {{"no.such.property", sdk::ConfigValue::ofString("1")}}), store, sink,
                          metrics);
    auto status = bad.start();
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("no.such.property"), std::string::npos) << status.error().message;
  }

  const sdk::ConfigValue::Map props = {{"producer.compression.type", sdk::ConfigValue::ofString("lz4")},
                                       {"consumer.fetch.wait.max.ms", sdk::ConfigValue::ofString("50")}};
  ASSERT_TRUE(store->enqueue(batch(0, 20)).ok());
  {
    host::KafkaBridge first(externalSection(boot, props), store, sink, metrics);
    ASSERT_TRUE(first.start().ok());
    EXPECT_EQ(first.bootstrapServers(), boot);
    EXPECT_EQ(first.embeddedBroker(), nullptr);
    ASSERT_TRUE(eventually([&] { return store->outboxDepth().valueOr(-1) == 0; }, 20s));
    first.stop(2s);
  }
  // While no bridge runs, records wait in SQL and a command waits in Kafka.
  ASSERT_TRUE(store->enqueue(batch(20, 40)).ok());
  sdk::OutboundCommand c;
  c.commandId = "ext-1";
  c.account = "15550001111";
  c.to = "15552223333";
  c.text = "sent while the bridge was down";
  produceRaw(boot, "switchboard.outbound", "conv-x", host::encodeCommand(c, host::Format::Json),
             {{"content-type", "application/json"}});

  host::KafkaBridge second(externalSection(boot, props), store, sink, metrics);
  ASSERT_TRUE(second.start().ok());
  ASSERT_TRUE(eventually([&] { return store->outboxDepth().valueOr(-1) == 0; }, 20s));
  ASSERT_TRUE(eventually([&] { return sink.dispatched().size() == 1; }, 30s));
  EXPECT_EQ(sink.dispatched()[0].commandId, "ext-1");
  second.stop(2s);

  auto records = readTopic(boot, "switchboard.inbound", 40, 15s);
  ASSERT_EQ(records.size(), 40u);
  std::map<std::string, int> last;
  for (const auto& r : records) {
    const auto& id = r.headers.at("ce_id");
    int n = std::stoi(id.substr(id.find('/') + 1));
    if (last.count(r.key) != 0) {
      EXPECT_LT(last[r.key], n);
    }
    last[r.key] = n;
  }
}

}  // namespace
}  // namespace switchboard::test
