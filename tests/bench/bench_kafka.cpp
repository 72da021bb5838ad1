// bench_kafka: records/s from the outbox through the bridge to the embedded broker, side by side
// with kcat producing the same payloads (same keys, same value bytes) to the same broker in the
// same run, once before and once after the bridge.
//
//   bench_kafka [--records N] [--format json|protobuf] [--text-bytes N]
//
// The bridge's figure covers: starting its producer, reading pending rows from SQLite
// (synchronous=FULL, the default), CloudEvents headers, idempotent acks=all produce, delivery
// reports and deleting the rows (mark produced): from KafkaBridge::start() until the outbox is
// empty. The rows hold the Envelope in the deployment's format, as the daemon stores them. kcat's covers starting
// the process, reading the file and producing with the same guarantees, without headers. The
// broker runs in this process for both and is started before either is timed. Afterwards the
// partitions' offsets are checked: each side wrote exactly N records.

#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
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
#include "kafka/rdkafka_util.hpp"
#include "storage/storage_config.hpp"

using namespace switchboard;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kPartitions = 3;

class NullSink final : public host::CommandSink {
 public:
  sdk::Status validate(const sdk::OutboundCommand&) override { return sdk::okStatus(); }
  void dispatch(const sdk::OutboundCommand&) override {}
};

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

double cpuSeconds(int who) {
  rusage u{};
  ::getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// Records in a topic: the sum of its partitions' high watermarks (the topics start empty).
long long recordsIn(const std::string& bootstrap, const std::string& topic) {
  auto conf = host::makeConf({{"bootstrap.servers", bootstrap}});
  if (!conf.ok()) {
    return -1;
  }
  auto client = host::makeClient(RD_KAFKA_PRODUCER, std::move(conf).value());
  if (!client.ok()) {
    return -1;
  }
  long long total = 0;
  for (int p = 0; p < kPartitions; ++p) {
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(client->get(), topic.c_str(), p, &low, &high, 5000) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      return -1;
    }
    total += high;
  }
  return total;
}

struct KcatRun {
  double wall = 0, cpu = 0;
  int rc = 0;
};

KcatRun runKcat(const std::string& bootstrap, const std::string& topic, const std::string& file) {
  const std::string cmd = "kcat -q -P -b " + bootstrap + " -t " + topic +
                          " -K '\\x1f\\x1f\\x1f\\x1f' -D '\\x1e\\x1e\\x1e\\x1e' -l " + file +
                          " -X acks=all -X enable.idempotence=true -X linger.ms=5"
                          " -X queue.buffering.max.messages=1000000";
  const double c0 = cpuSeconds(RUSAGE_CHILDREN);
  auto t0 = Clock::now();
  KcatRun run;
  run.rc = std::system(cmd.c_str());
  run.wall = seconds(t0, Clock::now());
  run.cpu = cpuSeconds(RUSAGE_CHILDREN) - c0;
  return run;
}

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
  }));
  if (!store.ok()) {
    std::cerr << store.error().describe() << "\n";
    return 1;
  }

  // The same records for both: inbound messages over 100 conversations, stored as the daemon's
  // pipeline stores them (the Envelope already in the deployment's format).
  const host::Format wireFormat = host::parseFormat(format);
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
    rows.push_back(host::inboundRecord(m, wireFormat));
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

  // kcat's input: the same keys and wire bytes.
  const std::string keyDelim = "\x1f\x1f\x1f\x1f", msgDelim = "\x1e\x1e\x1e\x1e";
  const std::string file = dir + "/kcat-input";
  {
    std::ofstream out(file, std::ios::binary);
    for (auto r : rows) {
      const bool converted = host::convertPayload(r, wireFormat).ok();  // a no-op: stored in this format
      if (!converted || r.payload.find(msgDelim) != std::string::npos ||
          r.payload.find(keyDelim) != std::string::npos) {
        std::cerr << "payload cannot be delimited for kcat\n";
        return 1;
      }
      out << r.key << keyDelim << r.payload << msgDelim;
    }
  }
  rows.clear();
  rows.shrink_to_fit();

  // The broker, started before anything is timed.
  host::EmbeddedBroker broker;
  if (auto s = broker.start(1); !s.ok()) {
    std::cerr << s.error().describe() << "\n";
    return 1;
  }
  const std::string bootstrap = broker.bootstrapServers();
  for (const char* t : {"inbound", "events", "results", "dlq", "outbound", "bench-kcat-1", "bench-kcat-2"}) {
    (void)broker.createTopic(std::string("switchboard.") + t, kPartitions);
  }

  const KcatRun before = runKcat(bootstrap, "switchboard.bench-kcat-1", file);

  // Bridge: from start() until the outbox is empty (every record acknowledged and deleted).
  host::MetricsRegistry metrics;
  NullSink sink;
  auto section = sdk::ConfigValue::ofMap({
      {"embedded", sdk::ConfigValue::ofBool(false)},
      {"brokers", sdk::ConfigValue::ofList({sdk::ConfigValue::ofString(bootstrap)})},
      {"create_topics", sdk::ConfigValue::ofBool(false)},
      {"format", sdk::ConfigValue::ofString(format)},
      {"partitions", sdk::ConfigValue::ofInt(kPartitions)},
      {"outbox_batch", sdk::ConfigValue::ofInt(5000)},
      {"max_in_flight", sdk::ConfigValue::ofInt(50'000)},
  });
  double bridgeCpu = 0;
  Clock::time_point b0, b1;
  {
    host::KafkaBridge bridge(section, *store, sink, metrics);
    const double c0 = cpuSeconds(RUSAGE_SELF);
    b0 = Clock::now();
    if (auto s = bridge.start(); !s.ok()) {
      std::cerr << s.error().describe() << "\n";
      return 1;
    }
    // Watch the delivery counter (cheap), then the outbox for the last deletions: a COUNT(*) of
    // a full outbox every few milliseconds would itself be a load on the database.
    while (metrics.value("kafka_produced_total") < records) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    while ((*store)->outboxDepth().valueOr(-1) != 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    b1 = Clock::now();
    bridgeCpu = cpuSeconds(RUSAGE_SELF) - c0;
    bridge.stop(std::chrono::seconds(5));
  }

  const KcatRun after = runKcat(bootstrap, "switchboard.bench-kcat-2", file);
  std::filesystem::remove_all(dir);
  if (before.rc != 0 || after.rc != 0) {
    std::cerr << "kcat failed: " << before.rc << " " << after.rc << "\n";
    return 1;
  }
  const long long bridgeCount = recordsIn(bootstrap, "switchboard.inbound");
  const long long kcatCount1 = recordsIn(bootstrap, "switchboard.bench-kcat-1");
  const long long kcatCount2 = recordsIn(bootstrap, "switchboard.bench-kcat-2");
  broker.stop();

  const double bridgeRate = records / seconds(b0, b1);
  const double kcatBest = records / std::min(before.wall, after.wall);
  std::printf("bench_kafka: %d records, format %s, text %d bytes, embedded broker (librdkafka %s mock) on loopback\n",
              records, format.c_str(), textBytes, rd_kafka_version_str());
  std::printf("  outbox insert (SQLite, 5000/tx, not compared)  %10.0f records/s\n", records / seconds(t0, t1));
  std::printf("  kcat before: file -> Kafka, acked              %10.0f records/s  (%.2f s, kcat cpu %.2f s)\n",
              records / before.wall, before.wall, before.cpu);
  std::printf("  bridge: outbox -> Kafka, acked and deleted     %10.0f records/s  (%.2f s, process cpu %.2f s)\n",
              bridgeRate, seconds(b0, b1), bridgeCpu);
  std::printf("  kcat after:  file -> Kafka, acked              %10.0f records/s  (%.2f s, kcat cpu %.2f s)\n",
              records / after.wall, after.wall, after.cpu);
  std::printf("  bridge / kcat (the faster kcat run)            %10.2f\n", bridgeRate / kcatBest);
  if (bridgeCount != records || kcatCount1 != records || kcatCount2 != records) {
    std::printf("  RECORD COUNT MISMATCH: bridge %lld, kcat %lld and %lld, expected %d each\n", bridgeCount,
                kcatCount1, kcatCount2, records);
    return 1;
  }
  std::printf("  records in the topics: %lld each (checked)\n", bridgeCount);
  return 0;
}
