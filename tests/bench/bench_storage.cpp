// Messages per second through the batched inbound path (Store::storeInbound): each message is a
// dedupe row, a message row, a conversation/contact lookup, a sealed Signal session write and an
// outbox row, committed together. SQLite (WAL, synchronous=FULL and NORMAL) and PostgreSQL (a
// throwaway local server, the same one the tests use).
//
//   cmake --preset bench && cmake --build --preset bench --target bench_storage
//   build-bench/tests/bench/bench_storage [--benchmark_filter=sqlite]

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <cstdint>
#include <ctime>
#include <iostream>
#include <memory>

#include "storage/storage_config.hpp"
#include "support/postgres_server.hpp"

namespace {

namespace sb = switchboard;
using sb::host::InboundWrite;
using sb::host::SignalWrite;
using sb::sdk::ConfigValue;

constexpr int kPeers = 1000;

struct TempDir {
  std::string path;
  TempDir() {
    std::string t = "/tmp/sb-bench-XXXXXX";
    path = ::mkdtemp(t.data()) != nullptr ? t : std::string();
  }
  ~TempDir() {
    std::string cmd = "rm -rf '" + path + "'";
    (void)std::system(cmd.c_str());
  }
};

sb::testing::PostgresServer* postgres() {
  static std::unique_ptr<sb::testing::PostgresServer> server;
  static bool tried = false;
  if (!tried) {
    tried = true;
    std::string error;
    server = sb::testing::PostgresServer::start(error);
    if (!server) {
      std::cerr << "cannot start PostgreSQL: " << error << "\n";
    }
  }
  return server.get();
}

double threadCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Random-looking hex, as WhatsApp message ids and SHA-256 hashes are: sequential test ids would
// let every index insert land on the same few pages and flatter the numbers.
std::string hexOf(long long n, std::size_t chars) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  std::uint64_t x = static_cast<std::uint64_t>(n) * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
  while (out.size() < chars) {
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 27;
    for (int i = 0; i < 16 && out.size() < chars; ++i) {
      out += digits[(x >> (4 * i)) & 15];
    }
  }
  return out;
}

InboundWrite message(long long n) {
  InboundWrite w;
  auto& m = w.message;
  m.account = "15550000001";
  m.networkId = "3EB0" + hexOf(n, 16);
  const std::string peer = "1555" + std::to_string(1000000 + n % kPeers);
  m.chat = peer + "@s.whatsapp.net";
  m.sender = m.chat;
  m.senderName = "Customer " + std::to_string(n % kPeers);
  m.timestamp = 1700000000000LL + n;
  m.text = "Hello, I would like to know the status of my order number " + std::to_string(n);
  w.ciphertextHash = hexOf(n + (1LL << 40), 64);
  w.signal.push_back({SignalWrite::Table::Session, m.account, peer + ".0", std::string(600, 's')});
  w.outbox.topic = "inbound";
  w.outbox.ceType = "switchboard.v1.InboundMessage";
  w.outbox.payload = std::string(220, 'p');
  return w;
}

void storeInbound(benchmark::State& state, const std::string& backend, const std::string& synchronous) {
  const int batchSize = static_cast<int>(state.range(0));
  TempDir dir;
  std::string url = "sqlite://" + dir.path + "/bench.db";
  if (backend == "postgres") {
    auto* pg = postgres();
    std::string error;
    static int counter = 0;
    const std::string db = "bench" + std::to_string(counter++);
    if (pg == nullptr || !pg->createDatabase(db, error)) {
      state.SkipWithError(("PostgreSQL unavailable: " + error).c_str());
      return;
    }
    url = pg->url(db);
  }
  auto opened = sb::host::openStore(ConfigValue::ofMap({{"url", ConfigValue::ofString(url)},
                                                        {"key_file", ConfigValue::ofString(dir.path + "/key")},
                                                        {"sqlite_synchronous", ConfigValue::ofString(synchronous)}}));
  if (!opened.ok()) {
    state.SkipWithError(opened.error().describe().c_str());
    return;
  }
  auto store = *opened;
  long long n = 0;
  double cpuSeconds = 0;
  std::vector<InboundWrite> batch;
  for (auto _ : state) {
    state.PauseTiming();
    batch.clear();
    for (int i = 0; i < batchSize; ++i) {
      batch.push_back(message(n++));
    }
    state.ResumeTiming();
    const double before = threadCpuSeconds();
    auto r = store->storeInbound(batch);
    cpuSeconds += threadCpuSeconds() - before;
    if (!r.ok()) {
      state.SkipWithError(r.error().describe().c_str());
      return;
    }
  }
  state.counters["msgs_per_s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsRate);
  // On a shared machine the wall-clock rate depends on the neighbours; this one does not.
  state.counters["msgs_per_cpu_s"] = cpuSeconds > 0 ? static_cast<double>(n) / cpuSeconds : 0;
  state.counters["batch"] = batchSize;
}

void sqliteFull(benchmark::State& s) { storeInbound(s, "sqlite", "full"); }
void sqliteNormal(benchmark::State& s) { storeInbound(s, "sqlite", "normal"); }
void postgresql(benchmark::State& s) { storeInbound(s, "postgres", "full"); }

BENCHMARK(sqliteFull)->Name("storeInbound/sqlite_full")->Arg(1)->Arg(20)->Arg(100)->Arg(500)->Arg(2000)->Arg(4096)
    ->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(sqliteNormal)->Name("storeInbound/sqlite_normal")->Arg(500)->Arg(2000)->UseRealTime()
    ->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(postgresql)->Name("storeInbound/postgresql")->Arg(1)->Arg(100)->Arg(500)->Arg(2000)->UseRealTime()
    ->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
