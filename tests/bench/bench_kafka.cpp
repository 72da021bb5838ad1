// bench_kafka: records/s from the outbox through the bridge to the embedded broker, side by side
// with kcat producing the same payloads (same keys, same bytes) to the same broker in the same run.
//
//   bench_kafka [--records N] [--format json|protobuf] [--text-bytes N]
//
// The bridge's figure covers: reading pending rows from SQLite, converting the stored protobuf to
// the wire format, CloudEvents headers, idempotent acks=all produce, delivery reports and deleting
// the rows (mark produced). kcat's covers reading a file and the same producer settings, no headers.

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/logging.hpp"
#include "common/metrics.hpp"
#include "kafka/embedded_broker.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "storage/storage_config.hpp"

using namespace switchboard;
using Clock = std::chrono::steady_clock;

namespace {

class NullSink final : public host::CommandSink {
 public:
  sdk::Status validate(const sdk::OutboundCommand&) override { return sdk::okStatus(); }
  void dispatch(const sdk::OutboundCommand&) override {}
};

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace

int main(int argc, char** argv) {
  int records = 100'000;
  std::string format = "json";
  int textBytes = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--records") {
      records = std::atoi(argv[i + 1]);
    } else if (a == "--format") {
      format = argv[i + 1];
    } else if (a == "--text-bytes") {
      textBytes = std::atoi(argv[i + 1]);
    }
  }
  host::initLogging(spdlog::level::info);
  char tmpl[] = "/tmp/sb-bench-kafka-XXXXXX";
  const std::string dir = mkdtemp(tmpl);

  auto store = host::openStore(sdk::ConfigValue::ofMap({
      {"url", sdk::ConfigValue::ofString("sqlite://" + dir + "/bench.db")},
      {"sqlite_synchronous", sdk::ConfigValue::ofString("normal")},
  }));
  if (!store.ok()) {
    std::cerr << store.error().describe() << "\n";
    return 1;
  }

  // The same records for both: inbound messages over 100 conversations.
  std::vector<host::OutboxRecord> rows;
  rows.reserve(static_cast<size_t>(records));
  const std::string text(static_cast<size_t>(textBytes), 'x');
  for (int n = 0; n < records; ++n) {
    sdk::InboundMessage m;
    m.account = "15550001111";
    m.conversation = "conv-" + std::to_string(n % 100);
    m.id = "bench-" + std::to_string(n);
    m.networkId = "3EB0" + std::to_string(n);
    m.chat = "15552223333@s.whatsapp.net";
    m.sender = m.chat;
    m.text = text;
    m.timestamp = host::nowMs();
    rows.push_back(host::inboundRecord(m));
  }
  auto t0 = Clock::now();
  for (size_t i = 0; i < rows.size(); i += 5000) {
    std::vector<host::OutboxRecord> batch(rows.begin() + static_cast<long>(i),
                                          rows.begin() + static_cast<long>(std::min(rows.size(), i + 5000)));
    if (auto s = (*store)->enqueue(batch); !s.ok()) {
      std::cerr << s.error().describe() << "\n";
      return 1;
    }
  }
  auto t1 = Clock::now();

  // Bridge: from start() until the outbox is empty (every record acknowledged and deleted).
  host::MetricsRegistry metrics;
  NullSink sink;
  auto section = sdk::ConfigValue::ofMap({
      {"embedded", sdk::ConfigValue::ofBool(true)},
      {"format", sdk::ConfigValue::ofString(format)},
      {"partitions", sdk::ConfigValue::ofInt(3)},
      {"outbox_batch", sdk::ConfigValue::ofInt(5000)},
      {"max_in_flight", sdk::ConfigValue::ofInt(50'000)},
  });
  host::KafkaBridge bridge(section, *store, sink, metrics);
  auto b0 = Clock::now();
  if (auto s = bridge.start(); !s.ok()) {
    std::cerr << s.error().describe() << "\n";
    return 1;
  }
  while ((*store)->outboxDepth().valueOr(-1) != 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto b1 = Clock::now();
  const std::string bootstrap = bridge.bootstrapServers();

  // kcat: the same keys and wire bytes from a file, same producer guarantees, to the same broker.
  const std::string keyDelim = "\x1f\x1f\x1f\x1f", msgDelim = "\x1e\x1e\x1e\x1e";
  const std::string file = dir + "/kcat-input";
  {
    std::ofstream out(file, std::ios::binary);
    for (const auto& r : rows) {
      auto wire = host::toWire(r.payload, host::parseFormat(format));
      if (!wire.ok() || wire->find(msgDelim) != std::string::npos || wire->find(keyDelim) != std::string::npos) {
        std::cerr << "payload cannot be delimited for kcat\n";
        return 1;
      }
      out << r.key << keyDelim << *wire << msgDelim;
    }
  }
  auto* broker = bridge.embeddedBroker();
  (void)broker->createTopic("switchboard.bench-kcat", 3);
  const std::string cmd = "kcat -q -P -b " + bootstrap +
                          " -t switchboard.bench-kcat -K '\\x1f\\x1f\\x1f\\x1f' -D '\\x1e\\x1e\\x1e\\x1e' -l " + file +
                          " -X acks=all -X enable.idempotence=true -X linger.ms=5"
                          " -X queue.buffering.max.messages=1000000";
  auto k0 = Clock::now();
  int rc = std::system(cmd.c_str());
  auto k1 = Clock::now();
  bridge.stop(std::chrono::seconds(5));
  std::filesystem::remove_all(dir);
  if (rc != 0) {
    std::cerr << "kcat failed: " << rc << "\n";
    return 1;
  }

  const double bridgeRate = records / seconds(b0, b1);
  const double kcatRate = records / seconds(k0, k1);
  std::printf("bench_kafka: %d records, format %s, text %d bytes, embedded broker (librdkafka %s mock) on loopback\n",
              records, format.c_str(), textBytes, rd_kafka_version_str());
  std::printf("  outbox insert (SQLite, 5000/tx, not compared)  %10.0f records/s\n", records / seconds(t0, t1));
  std::printf("  bridge: outbox -> Kafka, acked and deleted     %10.0f records/s  (%.2f s)\n", bridgeRate,
              seconds(b0, b1));
  std::printf("  kcat:   file -> Kafka, acked                   %10.0f records/s  (%.2f s)\n", kcatRate,
              seconds(k0, k1));
  std::printf("  bridge / kcat                                  %10.2f\n", bridgeRate / kcatRate);
  return 0;
}
