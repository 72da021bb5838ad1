// bench_kafka: records/s from the outbox through the bridge to the embedded broker, side by side
// with kcat producing the same payloads (same keys, same value bytes) to the same broker in the
// same run, in alternating rounds.
//
//   bench_kafka [--records N] [--format json|protobuf] [--text-bytes N] [--rounds R] [--kcat-headers 1|0]
//
// Each round fills the outbox with N rows (not timed), runs kcat, then the bridge. The bridge's
// figure covers: starting its producer, reading pending rows from SQLite (synchronous=FULL, the
// default), CloudEvents headers, idempotent acks=all produce, delivery reports and deleting the
// rows (mark produced): from KafkaBridge::start() until the outbox is empty. The rows hold the
// Envelope in the deployment's format, as the daemon stores them; the inserts' WAL is
// checkpointed before the bridge starts. kcat's covers starting the process, reading the file and
// producing the same keys and values with the same CloudEvents headers (the first record's, for
// all) and the bridge's own producer properties (printed; acks=all, idempotence, linger, batch
// size, queue limits). The broker runs in this process for both and is started before anything is timed; its
// CPU during kcat's run is printed beside kcat's own. Medians over the rounds are printed last.
// Afterwards the partitions' offsets are checked: each side wrote exactly N records a round.

#include <sqlite3.h>
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
#include "kafka/cloudevents_headers.hpp"
#include "kafka/embedded_broker.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka/outbox_db_worker.hpp"
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
  double wall = 0, cpu = 0, brokerCpu = 0;
  int rc = 0;
};

KcatRun runKcat(const std::string& bootstrap, const std::string& topic, const std::string& file,
                const std::string& properties) {
  const std::string cmd = "kcat -q -P -b " + bootstrap + " -t " + topic +
                          " -K '\\x1f\\x1f\\x1f\\x1f' -D '\\x1e\\x1e\\x1e\\x1e' -l " + file + properties;
  const double c0 = cpuSeconds(RUSAGE_CHILDREN);
  const double s0 = cpuSeconds(RUSAGE_SELF);  // the in-process broker serving kcat
  auto t0 = Clock::now();
  KcatRun run;
  run.rc = std::system(cmd.c_str());
  run.wall = seconds(t0, Clock::now());
  run.cpu = cpuSeconds(RUSAGE_CHILDREN) - c0;
  run.brokerCpu = cpuSeconds(RUSAGE_SELF) - s0;
  return run;
}

// Copies the outbox inserts' WAL into the database file before the bridge is timed: the
// background checkpointer would otherwise be doing it during the bridge's run, work that belongs
// to the inserts.
bool checkpointWal(const std::string& path) {
  sqlite3* db = nullptr;
  bool ok = sqlite3_open(path.c_str(), &db) == SQLITE_OK;
  ok = ok && sqlite3_busy_timeout(db, 10'000) == SQLITE_OK;
  ok = ok && sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(db);
  return ok;
}

// kcat's -H options: the CloudEvents headers the bridge gives `r` (kcat sends one set for all
// records; the bridge's vary in ce_id only, by a few bytes).
std::string kcatHeaders(const host::OutboxRecord& r, host::Format format) {
  rd_kafka_headers_t* headers = rd_kafka_headers_new(12);
  host::addCloudEventHeaders(headers, r, format);
  std::string out;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
    out += " -H '" + std::string(name) + "=" + std::string(static_cast<const char*>(value), size) + "'";
  }
  rd_kafka_headers_destroy(headers);
  return out;
}

// Whether the outbox still holds a pending row (one above the produced mark), or any row at all:
// one b-tree step on a connection of the benchmark's own. A COUNT(*) of what is left every
// millisecond would take CPU from the work being timed.
class OutboxWatch {
 public:
  explicit OutboxWatch(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
      sqlite3_busy_timeout(db_, 10'000);
      sqlite3_prepare_v2(db_,
                         "SELECT EXISTS (SELECT 1 FROM outbox WHERE seq > COALESCE((SELECT upto FROM outbox_produced"
                         " WHERE id = 1), 0))",
                         -1, &pending_, nullptr);
      sqlite3_prepare_v2(db_, "SELECT EXISTS (SELECT 1 FROM outbox)", -1, &any_, nullptr);
    }
  }
  ~OutboxWatch() {
    sqlite3_finalize(pending_);
    sqlite3_finalize(any_);
    sqlite3_close(db_);
  }
  OutboxWatch(const OutboxWatch&) = delete;
  OutboxWatch& operator=(const OutboxWatch&) = delete;
  bool ok() const { return pending_ != nullptr && any_ != nullptr; }
  /// -1 on error.
  int pending() { return step(pending_); }
  int nonEmpty() { return step(any_); }

 private:
  static int step(sqlite3_stmt* st) {
    int out = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
      out = sqlite3_column_int(st, 0);
    }
    sqlite3_reset(st);
    return out;
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt* pending_ = nullptr;
  sqlite3_stmt* any_ = nullptr;
};

struct BridgeRun {
  double wall = 0, firstAck = 0, acked = 0, cpu = 0, emptied = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  int records = 100'000;
  std::string format = "json";
  int textBytes = 200;
  int rounds = 3;
  bool kcatWithHeaders = true;  // 0: kcat sends no headers (the bridge always sends them)
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--records") {
      records = std::atoi(argv[i + 1]);
    } else if (a == "--format") {
      format = argv[i + 1];
    } else if (a == "--text-bytes") {
      textBytes = std::atoi(argv[i + 1]);
    } else if (a == "--rounds") {
      rounds = std::max(1, std::atoi(argv[i + 1]));
    } else if (a == "--kcat-headers") {
      kcatWithHeaders = std::atoi(argv[i + 1]) != 0;
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

  // The broker, started before anything is timed.
  host::EmbeddedBroker broker;
  if (auto s = broker.start(1); !s.ok()) {
    std::cerr << s.error().describe() << "\n";
    return 1;
  }
  const std::string bootstrap = broker.bootstrapServers();
  for (const char* t : {"inbound", "events", "results", "dlq", "outbound"}) {
    (void)broker.createTopic(std::string("switchboard.") + t, kPartitions);
  }
  for (int round = 0; round < rounds; ++round) {
    (void)broker.createTopic("switchboard.bench-kcat-" + std::to_string(round), kPartitions);
  }

  auto section = sdk::ConfigValue::ofMap({
      {"embedded", sdk::ConfigValue::ofBool(false)},
      {"brokers", sdk::ConfigValue::ofList({sdk::ConfigValue::ofString(bootstrap)})},
      {"create_topics", sdk::ConfigValue::ofBool(false)},
      {"format", sdk::ConfigValue::ofString(format)},
      {"partitions", sdk::ConfigValue::ofInt(kPartitions)},
      {"outbox_batch", sdk::ConfigValue::ofInt(5000)},
      {"max_in_flight", sdk::ConfigValue::ofInt(50'000)},
  });
  // kcat gets the bridge's own producer properties (all but the client's name and address).
  std::string kcatProperties;
  {
    auto settings = host::kafkaSettings(section);
    if (!settings.ok()) {
      std::cerr << settings.error().describe() << "\n";
      return 1;
    }
    for (const auto& [k, v] : host::clientProperties(*settings, bootstrap, RD_KAFKA_PRODUCER)) {
      if (k != "bootstrap.servers" && k != "client.id" && k != "log.connection.close") {
        kcatProperties += " -X " + k + "=" + v;
      }
    }
  }

  const std::string headers = kcatWithHeaders ? kcatHeaders(rows.front(), wireFormat) : std::string();
  OutboxWatch watch(dir + "/bench.db");
  if (!watch.ok()) {
    std::cerr << "cannot watch the outbox\n";
    return 1;
  }
  std::vector<KcatRun> kcatRuns;
  std::vector<BridgeRun> bridgeRuns;
  std::vector<double> insertRates;
  NullSink sink;
  for (int round = 0; round < rounds; ++round) {
    auto t0 = Clock::now();
    for (size_t i = 0; i < rows.size(); i += 5000) {
      std::vector<host::OutboxRecord> batch(rows.begin() + static_cast<long>(i),
                                            rows.begin() + static_cast<long>(std::min(rows.size(), i + 5000)));
      if (auto s = (*store)->enqueue(batch); !s.ok()) {
        std::cerr << s.error().describe() << "\n";
        return 1;
      }
    }
    insertRates.push_back(records / seconds(t0, Clock::now()));
    if (!checkpointWal(dir + "/bench.db")) {
      std::cerr << "cannot checkpoint the outbox database\n";
      return 1;
    }

    kcatRuns.push_back(runKcat(bootstrap, "switchboard.bench-kcat-" + std::to_string(round), file, kcatProperties + headers));
    if (kcatRuns.back().rc != 0) {
      std::cerr << "kcat failed: " << kcatRuns.back().rc << "\n";
      return 1;
    }

    // Bridge: from start() until no record is pending (every one acknowledged, and marked
    // produced in the database: deleted, or at or below the produced mark). The bulk deletion
    // of marked rows, once the relay is quiet, is waited for and shown, not timed.
    host::MetricsRegistry metrics;
    BridgeRun run;
    {
      host::KafkaBridge bridge(section, *store, sink, metrics);
      const double c0 = cpuSeconds(RUSAGE_SELF);
      const auto b0 = Clock::now();
      if (auto s = bridge.start(); !s.ok()) {
        std::cerr << s.error().describe() << "\n";
        return 1;
      }
      // Watch the delivery counter (cheap), then the outbox for the last deletions. The first
      // acknowledgement shows how much of the run is the start (producer, idempotent PID, first
      // page read, first batch acknowledged).
      while (metrics.value("kafka_produced_total") < records) {
        if (run.firstAck == 0 && metrics.value("kafka_produced_total") > 0) {
          run.firstAck = seconds(b0, Clock::now());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      run.acked = seconds(b0, Clock::now());
      while (watch.pending() != 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      run.wall = seconds(b0, Clock::now());
      run.cpu = cpuSeconds(RUSAGE_SELF) - c0;
      const auto e0 = Clock::now();
      while (watch.nonEmpty() != 0 && Clock::now() - e0 < std::chrono::seconds(60)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      run.emptied = seconds(b0, Clock::now());
      bridge.stop(std::chrono::seconds(5));
    }
    bridgeRuns.push_back(run);
  }
  // The reading stage alone: the same rows read by pages as the relay's reading thread reads
  // them (5000 a page, the buffers reused), on this thread, best of 3: CPU time that does not
  // depend on what runs beside it.
  double readCpu = 0;
  {
    for (size_t i = 0; i < rows.size(); i += 5000) {
      std::vector<host::OutboxRecord> batch(rows.begin() + static_cast<long>(i),
                                            rows.begin() + static_cast<long>(std::min(rows.size(), i + 5000)));
      if (auto s = (*store)->enqueue(batch); !s.ok()) {
        std::cerr << s.error().describe() << "\n";
        return 1;
      }
    }
    (void)checkpointWal(dir + "/bench.db");
    std::vector<host::OutboxRecord> page;
    for (int rep = 0; rep < 3; ++rep) {
      const double c0 = host::threadCpuSeconds();
      std::int64_t cursor = 0;
      long long read = 0;
      while ((*store)->pendingOutboxInto(cursor, 5000, page).ok() && !page.empty()) {
        cursor = page.back().seq;
        read += static_cast<long long>(page.size());
      }
      const double cpu = host::threadCpuSeconds() - c0;
      if (read == records && (rep == 0 || cpu < readCpu)) {
        readCpu = cpu;
      }
    }
  }
  std::filesystem::remove_all(dir);

  const long long bridgeCount = recordsIn(bootstrap, "switchboard.inbound");
  std::vector<long long> kcatCounts;
  for (int round = 0; round < rounds; ++round) {
    kcatCounts.push_back(recordsIn(bootstrap, "switchboard.bench-kcat-" + std::to_string(round)));
  }
  broker.stop();

  std::printf("bench_kafka: %d records a round, %d rounds, format %s, text %d bytes, embedded broker (librdkafka %s "
              "mock) on loopback\n",
              records, rounds, format.c_str(), textBytes, rd_kafka_version_str());
  std::printf("  kcat and the bridge's producer:%s\n", kcatProperties.c_str());
  std::printf("  kcat's headers (the bridge's for the first record):%s\n", kcatWithHeaders ? headers.c_str() : " none");
  std::vector<double> kcatRates, bridgeRates, ratios;
  for (int round = 0; round < rounds; ++round) {
    const auto& k = kcatRuns[static_cast<size_t>(round)];
    const auto& b = bridgeRuns[static_cast<size_t>(round)];
    kcatRates.push_back(records / k.wall);
    bridgeRates.push_back(records / b.wall);
    ratios.push_back(kcatRates.back() > 0 ? bridgeRates.back() / kcatRates.back() : 0);
    std::printf("  round %d\n", round + 1);
    std::printf("    outbox insert (SQLite, 5000/tx, not compared)  %10.0f records/s\n",
                insertRates[static_cast<size_t>(round)]);
    std::printf("    kcat: file -> Kafka, acked                     %10.0f records/s  (%.2f s; cpu: kcat %.2f s, "
                "broker %.2f s)\n",
                kcatRates.back(), k.wall, k.cpu, k.brokerCpu);
    std::printf("    bridge: outbox -> Kafka, acked and marked      %10.0f records/s  (%.2f s; first acked at %.3f s, "
                "all at %.2f s; cpu: bridge and broker %.2f s; rows deleted, after the quiet interval, at %.2f s)\n",
                bridgeRates.back(), b.wall, b.firstAck, b.acked, b.cpu, b.emptied);
    std::printf("    bridge / kcat                                  %10.2f\n", ratios.back());
  }
  std::printf("  medians over %d rounds: kcat %.0f records/s, bridge %.0f records/s, bridge / kcat %.2f "
              "(ratio of the medians %.2f)\n",
              rounds, median(kcatRates), median(bridgeRates), median(ratios),
              median(bridgeRates) / median(kcatRates));
  bool countsOk = bridgeCount == static_cast<long long>(records) * rounds;
  for (long long c : kcatCounts) {
    countsOk = countsOk && c == records;
  }
  if (!countsOk) {
    std::printf("  RECORD COUNT MISMATCH: bridge %lld (expected %lld), kcat per round:", bridgeCount,
                static_cast<long long>(records) * rounds);
    for (long long c : kcatCounts) {
      std::printf(" %lld", c);
    }
    std::printf(" (expected %d each)\n", records);
    return 1;
  }
  std::printf("  records in the topics: bridge %lld, kcat %d a round (checked)\n", bridgeCount, records);
  std::printf("  reading the outbox alone (pages of 5000, one thread, best of 3): %.0f ms of CPU per 100,000 rows\n",
              readCpu * 1e3 * 100'000.0 / records);
  return 0;
}
