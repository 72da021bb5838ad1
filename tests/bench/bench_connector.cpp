// bench_connector: N WhatsApp accounts run by our connector against the simulator, beside Baileys
// clients on the same simulator receiving the same traffic.
//
//   bench_connector --wasim <switchboard-wasim> [--accounts N] [--customers C] [--messages M]
//                   [--rate R] [--rounds K] [--threads T] [--sim-threads S] [--baileys B]
//                   [--baileys-messages M2] [--node-script <baileys-load.mjs>]
//                   [--tenants T] [--probe-rate P] [--probe-seconds S] [--fairness F]
//
// The simulator runs in its own process (so the memory measured here is the connector's alone);
// its simulated phones are the customers. Our side is wired as the daemon wires it: the connector's
// session manager (in-process, as its tests run it) on the host's pipeline, SQLite storage, and the
// Kafka bridge producing to the embedded broker. Accounts are provisioned with stored credentials
// and linked directly on the simulator (link_device), so thousands log in without pairing.
//
// Figures:
//  - memory per idle connected account: this process's RSS after every account logged in and
//    settled, minus the RSS before the connector started, over N;
//  - inbound messages per second: C customer phones send M messages (round-robin over the
//    accounts) at R/s in total; from the load's start until M new records are on the Kafka topic
//    switchboard.inbound (simulator -> connector decrypt -> SQL transaction -> outbox -> Kafka).
//    K rounds; the median is quoted.
// Then (with --baileys B > 0) the node script runs B Baileys 7 sockets in one node process, paired
// by QR on the same simulator, measures its marginal RSS per idle socket and the rate at which
// its sockets receive the same kind of load (messages.upsert, decrypted), K rounds as well.
//
// Tenants (--tenants T): account i belongs to tenant "t<i mod T>" (stored, and named in the
// connector's account list), so 1,000 tenants of 10 accounts are --tenants 1000 --accounts 10000.
// After the rounds, a latency probe: one customer phone at a time sends P messages a second
// (`send`) to accounts of tenant t1, each carrying its send time; the time until the record is
// read back from switchboard.inbound (simulator -> connector -> SQL -> outbox -> Kafka consumer)
// is its inbound latency; p50 and p99 over S seconds.
// Fairness (--fairness F, needs T >= 2): the probe runs twice in one run, tenant t0's customers
// sending to t0's accounts at P/s (t0's normal rate) the first time and at F x P/s (its burst) the
// second; t1's p99 in the two phases is printed side by side. --fresh-burst skips warming t0's
// (sender, account) pairs, so the burst is mostly first messages (a new Signal session each, the
// costliest decryption); --no-fair-decryption runs the connector with fair_decryption: false, for
// the figures without the tenant round robin at decryption.
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <yaml-cpp/yaml.h>

#include "common/logging.hpp"
#include "common/metrics.hpp"
#include "config/schema_validator.hpp"
#include "connector/device_credentials.hpp"
#include "connector/session_manager.hpp"
#include "connector/signal_store_adapter.hpp"
#include "kafka/embedded_broker.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka/rdkafka_util.hpp"
#include "pipeline/event_bus.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_context.hpp"
#include "protocol/bytes.hpp"
#include "signal/keys.hpp"
#include "signal/protocol.hpp"
#include "signal/transaction.hpp"
#include "storage/storage_config.hpp"
#include "wasim_process.hpp"

using namespace switchboard;
using namespace switchboard::host;
namespace wa = switchboard::whatsapp;
namespace wc = switchboard::whatsapp::connector;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

constexpr int kPartitions = 3;

struct Options {
  std::string wasim;
  std::string nodeScript;
  int accounts = 100;
  int customers = 100;
  int messages = 5000;
  double rate = 5000;
  int rounds = 3;
  int threads = 2;
  int simThreads = 2;
  int baileys = 0;
  int baileysMessages = 0;  // 0: as many as --messages
  int tenants = 1;
  double probeRate = 20;
  int probeSeconds = 10;
  double fairness = 0;  // burst factor of tenant t0; 0: no fairness phases
  bool freshBurst = false;     // t0's burst from pairs that never exchanged a message
  bool fairDecryption = true;  // the connector's fair_decryption
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    std::string k = argv[i];
    std::string v = i + 1 < argc ? argv[i + 1] : "";
    if (k == "--wasim") {
      o.wasim = v;
    } else if (k == "--node-script") {
      o.nodeScript = v;
    } else if (k == "--accounts") {
      o.accounts = std::atoi(v.c_str());
    } else if (k == "--customers") {
      o.customers = std::atoi(v.c_str());
    } else if (k == "--messages") {
      o.messages = std::atoi(v.c_str());
    } else if (k == "--rate") {
      o.rate = std::atof(v.c_str());
    } else if (k == "--rounds") {
      o.rounds = std::atoi(v.c_str());
    } else if (k == "--threads") {
      o.threads = std::atoi(v.c_str());
    } else if (k == "--sim-threads") {
      o.simThreads = std::atoi(v.c_str());
    } else if (k == "--baileys-messages") {
      o.baileysMessages = std::atoi(v.c_str());
    } else if (k == "--baileys") {
      o.baileys = std::atoi(v.c_str());
    } else if (k == "--tenants") {
      o.tenants = std::max(1, std::atoi(v.c_str()));
    } else if (k == "--probe-rate") {
      o.probeRate = std::atof(v.c_str());
    } else if (k == "--probe-seconds") {
      o.probeSeconds = std::atoi(v.c_str());
    } else if (k == "--fairness") {
      o.fairness = std::atof(v.c_str());
    } else if (k == "--fresh-burst") {
      o.freshBurst = true;
      --i;  // a flag: no value
    } else if (k == "--no-fair-decryption") {
      o.fairDecryption = false;
      --i;
    }
  }
  return o;
}

long rssKiB() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtol(line.c_str() + 6, nullptr, 10);
    }
  }
  return 0;
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// CPU time of this process: on a shared machine the wall-clock rate depends on the neighbours
// (the simulator among them), the cost per message does not.
double cpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

double median(std::vector<double> v) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Records in a topic: the sum of its partitions' high watermarks.
long long recordsIn(rd_kafka_t* client, const std::string& topic) {
  long long total = 0;
  for (int p = 0; p < kPartitions; ++p) {
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(client, topic.c_str(), p, &low, &high, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return -1;
    }
    total += high;
  }
  return total;
}

// Phone numbers: customers and accounts in separate ranges.
std::string accountPhone(int i) { return std::to_string(15560000000LL + i); }
std::string customerPhone(int i) { return std::to_string(15570000000LL + i); }
std::string baileysPhone(int i) { return std::to_string(15580000000LL + i); }
std::string tenantOf(int account, int tenants) { return "t" + std::to_string(account % tenants); }

long long wallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Reads switchboard.inbound from its end and keeps the latency of every probe message: the text
// "probe <phase> <send time, µs since the epoch>" is in the record's payload as it was sent.
class ProbeReader {
 public:
  explicit ProbeReader(const std::string& bootstrap) {
    auto conf = makeConf({{"bootstrap.servers", bootstrap}, {"group.id", "bench-probe"},
                          {"enable.auto.commit", "false"}, {"fetch.wait.max.ms", "5"}});
    if (!conf.ok()) {
      return;
    }
    auto client = makeClient(RD_KAFKA_CONSUMER, std::move(conf).value());
    if (!client.ok()) {
      return;
    }
    client_ = std::move(client).value();
    rd_kafka_poll_set_consumer(client_.get());
    auto* parts = rd_kafka_topic_partition_list_new(kPartitions);
    for (int p = 0; p < kPartitions; ++p) {
      rd_kafka_topic_partition_list_add(parts, "switchboard.inbound", p)->offset = RD_KAFKA_OFFSET_END;
    }
    rd_kafka_assign(client_.get(), parts);
    rd_kafka_topic_partition_list_destroy(parts);
    thread_ = std::thread([this] { run(); });
  }
  ~ProbeReader() {
    stop_ = true;
    if (thread_.joinable()) {
      thread_.join();
    }
    if (client_) {
      rd_kafka_consumer_close(client_.get());
    }
  }
  bool ok() const { return client_ != nullptr; }
  std::vector<double> latenciesMs(int phase) {
    std::lock_guard lock(mutex_);
    return latencies_[phase];
  }

 private:
  void run() {
    static const std::string kMarker = "probe ";
    while (!stop_) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(client_.get(), 50);
      if (m == nullptr) {
        continue;
      }
      const long long now = wallMicros();
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->payload != nullptr) {
        const std::string_view payload(static_cast<const char*>(m->payload), m->len);
        if (auto at = payload.find(kMarker); at != std::string_view::npos) {
          int phase = 0;
          long long sent = 0;
          if (std::sscanf(std::string(payload.substr(at + kMarker.size(), 40)).c_str(), "%d %lld", &phase, &sent) == 2 &&
              phase >= 0 && phase < 2) {
            std::lock_guard lock(mutex_);
            latencies_[phase].push_back(static_cast<double>(now - sent) / 1000.0);
          }
        }
      }
      rd_kafka_message_destroy(m);
    }
  }

  RdKafkaPtr client_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<double> latencies_[2];
};

std::string b64(wa::ByteView b) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < b.size(); i += 3) {
    unsigned v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (b.size() - i == 1) {
    unsigned v = b[i] << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (b.size() - i == 2) {
    unsigned v = (b[i] << 16) | (b[i + 1] << 8);
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

// One account: stored credentials and Signal identity for the connector, the same keys linked on
// the simulator (what a finished pairing leaves behind on both sides).
sdk::Status provision(bench::WasimProcess& sim, sdk::ConnectorStorage& storage, const std::string& phone,
                      const std::string& tenant) {
  if (auto a = sim.command({{"cmd", "create_account"}, {"phone", phone}}); !a) {
    return a.takeError();
  }
  if (auto s = storage.putAccount({phone, tenant, "", "", "new"}); !s.ok()) {
    return s;
  }
  auto creds = wc::DeviceCredentials::generate();
  wc::StoredSignalStore signal(storage, phone);
  signal.setLocalIdentity(wa::LocalIdentity{creds.identityKey, creds.registrationId}.serialize());
  wa::SignalTransaction txn(signal);
  wa::SignalProtocol protocol(txn);
  auto spk = protocol.generateSignedPreKey(1);
  if (!spk.ok()) {
    return spk.takeError();
  }
  if (auto s = storage.putSignal(phone, wc::toRecordWrites(txn.changes())); !s.ok()) {
    return s;
  }
  creds.signedPreKeyPub = spk->pub;
  creds.signedPreKeySignature = spk->signature;
  auto linked = sim.command({{"cmd", "link_device"},
                             {"phone", phone},
                             {"noise_key", b64(creds.noiseKey.pub)},
                             {"identity_private", b64(creds.identityKey.priv)},
                             {"registration_id", creds.registrationId},
                             {"signed_prekey", b64(spk->pub)},
                             {"signed_prekey_signature", b64(spk->signature)}});
  if (!linked) {
    return linked.takeError();
  }
  creds.jid = (*linked)["jid"].get<std::string>();
  creds.lid = (*linked)["lid"].get<std::string>();
  creds.keyIndex = (*linked)["keyIndex"].get<std::uint32_t>();
  return storage.saveCredentials(phone, creds.serialize());
}

}  // namespace

int main(int argc, char** argv) {
  auto opt = parse(argc, argv);
  if (opt.wasim.empty()) {
    std::cerr << "usage: bench_connector --wasim <switchboard-wasim> [--accounts N] [--customers C] [--messages M] "
                 "[--rate R] [--rounds K] [--threads T] [--baileys B --node-script <baileys-load.mjs>]\n";
    return 1;
  }
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  initLogging(spdlog::level::warn);

  char tmpl[] = "/tmp/sb-bench-connector-XXXXXX";
  const std::filesystem::path dir = mkdtemp(tmpl);

  auto simStarted = bench::WasimProcess::start(
      opt.wasim, {"--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--threads", std::to_string(opt.simThreads)});
  if (!simStarted) {
    std::cerr << simStarted.error().describe() << "\n";
    return 1;
  }
  auto sim = std::move(*simStarted);
  const auto simInfo = sim->info();

  EmbeddedBroker broker;
  if (auto s = broker.start(1); !s.ok()) {
    std::cerr << s.error().describe() << "\n";
    return 1;
  }
  for (const char* t : {"inbound", "events", "results", "dlq", "outbound"}) {
    (void)broker.createTopic(std::string("switchboard.") + t, kPartitions);
  }

  auto store = openStore(sdk::ConfigValue::ofMap({{"url", sdk::ConfigValue::ofString("sqlite://" + (dir / "db.sqlite").string())}}));
  if (!store.ok()) {
    std::cerr << store.error().describe() << "\n";
    return 1;
  }

  // Customers (simulated phones only) and the connector's accounts.
  auto t0 = Clock::now();
  std::vector<std::string> customers, ids;
  for (int i = 0; i < opt.customers; ++i) {
    customers.push_back(customerPhone(i));
    if (auto a = sim->command({{"cmd", "create_account"}, {"phone", customers.back()}}); !a) {
      std::cerr << a.error().describe() << "\n";
      return 1;
    }
  }
  for (int t = 0; t < opt.tenants && opt.tenants > 1; ++t) {
    (void)(*store)->createTenant(tenantOf(t, opt.tenants), "bench tenant " + std::to_string(t));
  }
  {
    auto storage = makeConnectorStorage(*store, "wa");
    for (int i = 0; i < opt.accounts; ++i) {
      ids.push_back(accountPhone(i));
      if (auto s = provision(*sim, *storage, ids.back(), opt.tenants > 1 ? tenantOf(i, opt.tenants) : "default");
          !s.ok()) {
        std::cerr << "provisioning " << ids.back() << ": " << s.error().describe() << "\n";
        return 1;
      }
    }
  }
  std::printf("provisioned %d accounts and %d customers in %.1f s\n", opt.accounts, opt.customers,
              seconds(Clock::now() - t0));
  std::fflush(stdout);

  // The daemon's wiring: pipeline -> SQLite (one transaction per message) -> outbox -> Kafka.
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  MetricsRegistry metrics;
  LocalEventBus bus;
  const auto format = Format::Protobuf;
  RecordEncoder encoder{[format](const sdk::InboundMessage& m) { return inboundRecord(m, format); },
                        [format](const sdk::Event& e) { return eventRecord(e, format); },
                        [format](const sdk::CommandResult& r) { return resultRecord(r, format); }};
  Pipeline pipeline(io, PipelineSettings{}, *store, bus, metrics, std::move(encoder));
  auto section = sdk::ConfigValue::ofMap({
      {"embedded", sdk::ConfigValue::ofBool(false)},
      {"brokers", sdk::ConfigValue::ofList({sdk::ConfigValue::ofString(broker.bootstrapServers())})},
      {"create_topics", sdk::ConfigValue::ofBool(false)},
      {"format", sdk::ConfigValue::ofString("protobuf")},
      {"partitions", sdk::ConfigValue::ofInt(kPartitions)},
  });
  KafkaBridge kafka(section, *store, pipeline, metrics);
  pipeline.onOutboxWritten([&kafka] { kafka.notifyOutbox(); });
  HostServices services{io, metrics, *store, bus, pipeline, pipeline, (dir / "state").string()};
  std::vector<std::thread> pool;
  for (int i = 0; i < 2; ++i) {
    pool.emplace_back([&io] { io.run(); });
  }
  if (auto s = kafka.start(); !s.ok()) {
    std::cerr << s.error().describe() << "\n";
    return 1;
  }
  pipeline.start();

  auto watermarkConf = makeConf({{"bootstrap.servers", broker.bootstrapServers()}});
  auto watermark = makeClient(RD_KAFKA_PRODUCER, std::move(watermarkConf).value());
  if (!watermark.ok()) {
    std::cerr << watermark.error().describe() << "\n";
    return 1;
  }

  // The connector, configured as an operator would, through the host's schema validator.
  std::string y = "server_url: " + simInfo["url"].get<std::string>() + "\n";
  y += "trusted_root_key: " + simInfo["rootKey"].get<std::string>() + "\n";
  y += "threads: " + std::to_string(opt.threads) + "\n";
  y += std::string("fair_decryption: ") + (opt.fairDecryption ? "true" : "false") + "\n";
  y += "accounts:\n";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto tenant = opt.tenants > 1 ? tenantOf(static_cast<int>(i), opt.tenants) : std::string("default");
    y += "  - {id: \"" + ids[i] + "\", phone: \"" + ids[i] + "\", tenant: \"" + tenant + "\"}\n";
  }
  ValidationContext vctx;
  vctx.env = processEnv;
  const auto config = validateSection(YAML::Load(y), wc::connectorSchema(), "plugins.wa", vctx);
  if (!vctx.errors.empty()) {
    std::cerr << vctx.errors.front().describe() << "\n";
    return 1;
  }
  auto settings = wc::ConnectorSettings::parse(config);
  if (!settings.ok()) {
    std::cerr << settings.error().describe() << "\n";
    return 1;
  }
  y.clear();
  y.shrink_to_fit();
  auto context = std::make_unique<PluginContextImpl>(services, "wa", config, nullptr);

  const long rssBefore = rssKiB();
  t0 = Clock::now();
  auto connector = std::make_unique<wc::SessionManager>(*context, std::move(settings).value());
  if (auto s = connector->start(); !s.ok()) {
    std::cerr << s.error().describe() << "\n";
    return 1;
  }
  auto connectedCount = [&] {
    int n = 0;
    for (const auto& id : ids) {
      auto s = connector->session(id);
      n += s && s->state() == wc::SessionState::Connected ? 1 : 0;
    }
    return n;
  };
  int connected = 0;
  const auto loginDeadline = Clock::now() + std::chrono::seconds(60 + opt.accounts / 20);
  while ((connected = connectedCount()) < opt.accounts && Clock::now() < loginDeadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const double loginSeconds = seconds(Clock::now() - t0);
  // Settle: the first prekey uploads and the phones' greetings, then the figure of an idle account.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const long rssIdle = rssKiB();
  const double kibPerAccount = static_cast<double>(rssIdle - rssBefore) / std::max(1, connected);
  std::printf("connector: %d of %d accounts connected in %.1f s; RSS %ld -> %ld KiB: %.1f KiB per idle connected "
              "account\n",
              connected, opt.accounts, loginSeconds, rssBefore, rssIdle, kibPerAccount);
  std::fflush(stdout);

  // Inbound rounds: customers -> accounts, counted on Kafka.
  json senders = customers, recipients = ids;
  std::vector<double> ourRates, ourPerCpu, simPerCpu;
  for (int round = 0; round < opt.rounds; ++round) {
    const long long base = recordsIn(watermark->get(), "switchboard.inbound");
    const auto r0 = Clock::now();
    const double c0 = cpuSeconds();
    const double simC0 = sim->cpuSeconds();
    auto load = sim->command({{"cmd", "load_start"},
                              {"senders", senders},
                              {"recipients", recipients},
                              {"rate", opt.rate},
                              {"count", opt.messages},
                              {"text", "round " + std::to_string(round)}});
    if (!load) {
      std::cerr << load.error().describe() << "\n";
      return 1;
    }
    long long got = 0;
    const auto deadline = r0 + std::chrono::seconds(60 + static_cast<long>(opt.messages / 100));
    while ((got = recordsIn(watermark->get(), "switchboard.inbound") - base) < opt.messages && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const double secs = seconds(Clock::now() - r0);
    const double cpu = cpuSeconds() - c0;
    const double simCpu = sim->cpuSeconds() - simC0;
    ourPerCpu.push_back(static_cast<double>(got) / std::max(0.001, cpu));
    simPerCpu.push_back(static_cast<double>(got) / std::max(0.001, simCpu));
    auto st = sim->command({{"cmd", "load_status"}, {"load", (*load)["load"]}});
    const double sendSecs = st ? (*st)["seconds"].get<double>() : 0;
    ourRates.push_back(static_cast<double>(got) / secs);
    std::printf("connector round %d: %lld of %d messages on Kafka in %.2f s: %.0f msg/s (the phones sent for %.2f s); "
                "%.2f CPU s here: %.0f msg per CPU second%s\n",
                round + 1, got, opt.messages, secs, ourRates.back(), sendSecs, cpu, ourPerCpu.back(),
                got < opt.messages ? " [incomplete]" : "");
    std::printf("  simulator round %d: %.2f CPU s in switchboard-wasim (load phones and relay): %.0f msg per "
                "simulator CPU second, %.0f us of its CPU per message\n",
                round + 1, simCpu, simPerCpu.back(), 1e6 * simCpu / static_cast<double>(std::max(1LL, got)));
    std::fflush(stdout);
  }
  // Latency probes (and, with --fairness, tenant t0's burst beside them).
  json probeSummary;
  if (opt.probeSeconds > 0 && opt.probeRate > 0) {
    ProbeReader reader(broker.bootstrapServers());
    if (!reader.ok()) {
      std::cerr << "the probe's Kafka consumer could not start\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));  // assignment settles at the topic's end
    const int probeTenant = opt.tenants > 1 ? 1 : 0;
    std::vector<std::string> probeTargets, burstTargets;
    for (int i = 0; i < opt.accounts; ++i) {
      if (opt.tenants == 1 || i % opt.tenants == probeTenant) {
        probeTargets.push_back(ids[static_cast<std::size_t>(i)]);
      }
      if (opt.tenants > 1 && i % opt.tenants == 0) {
        burstTargets.push_back(ids[static_cast<std::size_t>(i)]);
      }
    }
    // The probing phone's first message to each account starts a Signal session (a costlier
    // pkmsg): sent before measuring, so neither phase pays for it.
    for (const auto& to : probeTargets) {
      (void)sim->command({{"cmd", "send"}, {"phone", customers.front()}, {"to", to + "@s.whatsapp.net"}, {"text", "warm-up"}});
    }
    std::this_thread::sleep_for(std::chrono::seconds(3));
    const std::vector<std::string> burstSenders(customers.begin() + 1, customers.end());
    if (opt.fairness > 0 && opt.tenants > 1 && !opt.freshBurst && !burstSenders.empty() && !burstTargets.empty()) {
      // Every (sender, account) pair of t0's burst, once: message k goes from sender k mod S to
      // account k mod R, so S x R messages cover them all when S and R are coprime (and most of them
      // otherwise). The burst then measures established sessions, as a campaign's replies would be,
      // not each pair's first message (a new Signal session, several ms of CPU each).
      const auto pairs = static_cast<long long>(burstSenders.size() * burstTargets.size());
      const long long base = recordsIn(watermark->get(), "switchboard.inbound");
      auto warm = sim->command({{"cmd", "load_start"},
                                {"senders", json(burstSenders)},
                                {"recipients", json(burstTargets)},
                                {"rate", 2000},
                                {"count", pairs},
                                {"text", "warm-up"}});
      const auto warmEnd = Clock::now() + std::chrono::seconds(120);
      while (warm && recordsIn(watermark->get(), "switchboard.inbound") - base < pairs && Clock::now() < warmEnd) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      std::printf("burst pairs warmed: %lld sessions\n", pairs);
      std::fflush(stdout);
    }
    const int phases = opt.fairness > 0 && opt.tenants > 1 ? 2 : 1;
    for (int phase = 0; phase < phases; ++phase) {
      // t0 sends at its normal rate in phase 0 and at F times it in phase 1, for the probe's length.
      json load;
      if (opt.tenants > 1 && opt.fairness > 0) {
        const double rate = opt.probeRate * (phase == 0 ? 1.0 : opt.fairness);
        auto started = sim->command({{"cmd", "load_start"},
                                     {"senders", json(burstSenders)},
                                     {"recipients", json(burstTargets)},
                                     {"rate", rate},
                                     {"count", static_cast<long long>(rate * opt.probeSeconds)},
                                     {"text", "tenant t0 phase " + std::to_string(phase)}});
        if (!started) {
          std::cerr << started.error().describe() << "\n";
          return 1;
        }
        load = (*started)["load"];
      }
      const auto p0 = Clock::now();
      const auto interval = std::chrono::duration<double>(1.0 / opt.probeRate);
      int sent = 0;
      for (auto next = p0; Clock::now() < p0 + std::chrono::seconds(opt.probeSeconds); next += std::chrono::duration_cast<Clock::duration>(interval)) {
        std::this_thread::sleep_until(next);
        const auto& to = probeTargets[static_cast<std::size_t>(sent) % probeTargets.size()];
        auto r = sim->command({{"cmd", "send"},
                               {"phone", customers.front()},
                               {"to", to + "@s.whatsapp.net"},
                               {"text", "probe " + std::to_string(phase) + " " + std::to_string(wallMicros())}});
        sent += r ? 1 : 0;
      }
      // Let the last probes (and the burst's tail) arrive.
      const auto waitEnd = Clock::now() + std::chrono::seconds(30 + opt.probeSeconds * 2);
      while (reader.latenciesMs(phase).size() < static_cast<std::size_t>(sent) && Clock::now() < waitEnd) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      json burst;
      if (!load.is_null()) {
        if (auto st = sim->command({{"cmd", "load_status"}, {"load", load}})) {
          burst = *st;
        }
        (void)sim->command({{"cmd", "load_stop"}, {"load", load}});
      }
      const std::string burstNote =
          phases == 2 ? " (t0 at " + std::to_string(static_cast<int>(opt.probeRate * (phase == 0 ? 1 : opt.fairness))) +
                            "/s, " + (burst.is_object() ? burst.value("sent", json(0)).dump() : std::string("?")) +
                            " sent)"
                      : std::string();
      const auto lat = reader.latenciesMs(phase);
      const double p50 = percentile(lat, 0.50), p99 = percentile(lat, 0.99), worst = percentile(lat, 1.0);
      std::printf("probe %s: tenant %s, %zu of %d probes on Kafka at %.0f/s; inbound latency p50 %.1f ms, p99 %.1f ms, "
                  "max %.1f ms%s\n",
                  phase == 0 ? (phases == 2 ? "unloaded" : "") : "loaded", tenantOf(probeTenant, opt.tenants).c_str(),
                  lat.size(), sent, opt.probeRate, p50, p99, worst, burstNote.c_str());
      std::fflush(stdout);
      probeSummary[phase == 0 ? "unloaded" : "loaded"] = {{"p50Ms", p50}, {"p99Ms", p99}, {"maxMs", worst},
                                                          {"probes", lat.size()}, {"burst", burst}};
    }
    if (phases == 2) {
      const double u = probeSummary["unloaded"]["p99Ms"].get<double>();
      const double l = probeSummary["loaded"]["p99Ms"].get<double>();
      std::printf("fairness: tenant t1 p99 inbound latency %.1f ms unloaded, %.1f ms while t0 sends %.0fx its rate: "
                  "%.2fx (target: within 2x)\n",
                  u, l, opt.fairness, l / std::max(0.001, u));
      std::fflush(stdout);
    }
  }
  const double decryptFailures = metrics.value("whatsapp_decrypt_failures_total", {{"plugin", "wa"}});

  connector->stop();
  connector.reset();
  context.reset();

  // Baileys on the same simulator, the same traffic.
  json baileys;
  if (opt.baileys > 0 && !opt.nodeScript.empty()) {
    const std::string cmd = "node --expose-gc " + opt.nodeScript + " --control " + simInfo["control"].get<std::string>() +
                            " --url " + simInfo["url"].get<std::string>() + " --root-key " +
                            simInfo["rootKey"].get<std::string>() + " --accounts " + std::to_string(opt.baileys) +
                            " --first " + baileysPhone(0) + " --customers " + std::to_string(opt.customers) +
                            " --first-customer " + customerPhone(0) + " --messages " +
                            std::to_string(opt.baileysMessages > 0 ? opt.baileysMessages : opt.messages) + " --rate " + std::to_string(opt.rate) + " --rounds " +
                            std::to_string(opt.rounds);
    std::printf("baileys: %s\n", cmd.c_str());
    std::fflush(stdout);
    std::FILE* p = ::popen(cmd.c_str(), "r");
    char buf[65536];
    while (p && std::fgets(buf, sizeof buf, p)) {
      std::string line(buf);
      std::fputs(("  | " + line).c_str(), stdout);
      std::fflush(stdout);
      if (line.rfind("{", 0) == 0) {
        baileys = json::parse(line, nullptr, false);
      }
    }
    if (p) {
      ::pclose(p);
    }
  }

  const double ourRate = median(ourRates);
  const double ourCpuRate = median(ourPerCpu);
  std::printf("\nresults: %d accounts, %d customers, %d messages a round at up to %.0f/s, %d rounds (medians)\n",
              opt.accounts, opt.customers, opt.messages, opt.rate, opt.rounds);
  std::printf("  connector: %.1f KiB RSS per idle connected account; %.0f inbound msg/s (simulator -> SQL -> Kafka), "
              "%.0f msg per CPU second; decrypt failures %.0f\n",
              kibPerAccount, ourRate, ourCpuRate, decryptFailures);
  std::printf("  simulator: %.0f msg per simulator CPU second (switchboard-wasim: load phones and relay)\n",
              median(simPerCpu));
  json summary{{"accounts", opt.accounts},          {"connected", connected},
               {"loginSeconds", loginSeconds},      {"kibPerIdleAccount", kibPerAccount},
               {"inboundPerSecond", ourRate},       {"rounds", ourRates}, {"perCpuSecond", ourCpuRate}, {"simulatorPerCpuSecond", median(simPerCpu)},
               {"decryptFailures", decryptFailures}, {"tenants", opt.tenants}, {"probe", probeSummary}};
  if (baileys.is_object() && baileys.contains("kibPerIdleSocket")) {
    const double bk = baileys["kibPerIdleSocket"].get<double>();
    const double br = baileys["receivedPerSecond"].get<double>();
    const double bc = baileys.value("perCpuSecond", 0.0);
    std::printf("  baileys:   %.1f KiB RSS per idle connected socket (%d sockets, one node process); %.0f msg/s "
                "received (decrypted), %.0f msg per CPU second\n",
                bk, baileys.value("connected", 0), br, bc);
    std::printf("  ratios:    memory %.1fx lower, throughput %.1fx higher, %.1fx fewer CPU seconds per message\n",
                bk / std::max(0.1, kibPerAccount), ourRate / std::max(0.001, br), ourCpuRate / std::max(0.001, bc));
    summary["baileys"] = baileys;
  }
  std::printf("%s\n", summary.dump().c_str());

  pipeline.drain(Clock::now() + std::chrono::seconds(5));
  kafka.stop(std::chrono::seconds(5));
  work.reset();
  io.stop();
  for (auto& t : pool) {
    t.join();
  }
  sim->stop();
  broker.stop();
  std::filesystem::remove_all(dir);
  return connected == opt.accounts ? 0 : 2;
}
