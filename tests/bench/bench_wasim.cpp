// bench_wasim: how many companion devices the simulator holds, and how many messages per second it
// relays between them. Every device is our own protocol client (DeviceClient: WebSocket, Noise,
// binary nodes; no Signal, the <enc> payloads are opaque to a server anyway), linked directly,
// logged in, and acknowledging what it receives with a delivery receipt, as real clients do. So one
// relayed message costs the server: decrypt + decode the sender's stanza, fan-out, encode + encrypt
// to the recipient, the server ack, then the same again for the receipt.
//
// Usage: bench_wasim [--devices N] [--messages M] [--window W] [--server-threads T] [--client-threads C]
// Prints one line per phase, then a JSON summary.
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "simulator/device_client.hpp"
#include "simulator/simulator.hpp"

namespace wa = switchboard::whatsapp;
namespace wasim = switchboard::wasim;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using wa::Node;

namespace {

long rssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::atol(line.c_str() + 6);
    }
  }
  return 0;
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// CPU time of this process (server and client threads together): on a shared machine the wall
// clock rate depends on the neighbours, the cost per message does not.
double cpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// CPU time of a set of threads (the simulator's own I/O threads): the server's cost per message
// apart from the clients' and this driver's, which share the process.
struct ThreadClocks {
  std::mutex mutex;
  std::vector<clockid_t> clocks;
  void addSelf() {
    clockid_t id{};
    if (pthread_getcpuclockid(pthread_self(), &id) == 0) {
      std::lock_guard lock(mutex);
      clocks.push_back(id);
    }
  }
  double seconds() {
    std::lock_guard lock(mutex);
    double total = 0;
    for (auto id : clocks) {
      timespec ts{};
      if (clock_gettime(id, &ts) == 0) {
        total += static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
      }
    }
    return total;
  }
};

struct Options {
  int devices = 1000;
  int messages = 20000;
  int window = 200;  // messages in flight (sent, not yet received)
  int serverThreads = 1;
  int clientThreads = 1;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    int v = std::atoi(argv[i + 1]);
    if (k == "--devices") {
      o.devices = v;
    } else if (k == "--messages") {
      o.messages = v;
    } else if (k == "--window") {
      o.window = v;
    } else if (k == "--server-threads") {
      o.serverThreads = v;
    } else if (k == "--client-threads") {
      o.clientThreads = v;
    }
  }
  return o;
}

/// Counts what the load devices see.
struct Counters {
  std::atomic<long> loggedIn{0};
  std::atomic<long> received{0};
  std::atomic<long> acked{0};
  std::atomic<long> receipts{0};
  std::mutex mutex;
  std::condition_variable cv;
  void bump() { cv.notify_all(); }
};

}  // namespace

int main(int argc, char** argv) {
  auto opt = parse(argc, argv);
  // Two sockets per device in one process.
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  if (static_cast<long>(lim.rlim_cur) < 2L * opt.devices + 64) {
    std::cerr << "bench_wasim: the open-file limit (" << lim.rlim_cur << ") is too low for " << opt.devices << " devices\n";
    return 1;
  }

  asio::io_context serverIo(opt.serverThreads);
  asio::io_context clientIo(opt.clientThreads);
  auto serverWork = asio::make_work_guard(serverIo);
  auto clientWork = asio::make_work_guard(clientIo);
  std::vector<std::thread> threads;
  ThreadClocks serverClocks;
  for (int i = 0; i < opt.serverThreads; ++i) {
    threads.emplace_back([&] {
      serverClocks.addSelf();
      serverIo.run();
    });
  }
  for (int i = 0; i < opt.clientThreads; ++i) {
    threads.emplace_back([&] { clientIo.run(); });
  }

  wasim::SimulatorOptions so;
  so.firstFrameDelay = std::chrono::milliseconds(0);
  so.phonePreKeys = 5;
  auto sim = wasim::Simulator::start(serverIo.get_executor(), so);
  if (!sim) {
    std::cerr << sim.error().describe() << "\n";
    return 1;
  }
  long rssStart = rssKiB();

  // Accounts and directly linked companions (one per account).
  struct Dev {
    std::string phone;
    std::uint16_t device = 0;
    wasim::CompanionKeys keys;
    std::shared_ptr<wasim::DeviceClient> client;
  };
  std::vector<Dev> devs(static_cast<std::size_t>(opt.devices));
  auto t0 = Clock::now();
  for (int i = 0; i < opt.devices; ++i) {
    auto& d = devs[static_cast<std::size_t>(i)];
    d.phone = std::to_string(15550000000LL + i);
    d.keys = wasim::CompanionKeys::generate();
    (void)(*sim)->createAccount(d.phone);
    auto info = (*sim)->linkDevice(d.phone, d.keys.directLink());
    if (!info) {
      std::cerr << info.error().describe() << "\n";
      return 1;
    }
    d.device = info->device;
  }
  auto tAccounts = Clock::now();
  long rssAccounts = rssKiB();
  std::printf("accounts: %d accounts with a phone and one companion in %.2f s (%.0f/s), %.1f MiB\n", opt.devices,
              seconds(tAccounts - t0), opt.devices / seconds(tAccounts - t0), (rssAccounts - rssStart) / 1024.0);

  // Connect and log in every device; each acknowledges what it receives.
  Counters counters;
  std::atomic<long> connectFailures{0};
  for (auto& d : devs) {
    wasim::DeviceClient::Options o;
    o.url = (*sim)->webSocketUrl();
    o.root.key = (*sim)->rootPublicKey();
    o.keys = d.keys;
    o.phone = d.phone;
    o.device = d.device;
    o.onNode = [&counters, phone = d.phone](const Node& n) {
      if (n.tag == "ib") {
        ++counters.loggedIn;
        counters.bump();
      } else if (n.tag == "message" && n.attr("category") != "peer") {
        ++counters.received;
        counters.bump();
      } else if (n.tag == "ack") {
        ++counters.acked;
      } else if (n.tag == "receipt") {
        ++counters.receipts;
        counters.bump();
      }
    };
    auto* slot = &d;
    wasim::DeviceClient::connect(clientIo.get_executor(), o,
                                 [slot, &connectFailures, &counters](auto r) {
                                   if (!r) {
                                     ++connectFailures;
                                     counters.bump();
                                     return;
                                   }
                                   slot->client = *r;
                                 });
  }
  // Each client sends passive/active once its <success> is in (the server then flushes the queue
  // and sends <ib><offline/>); a few ms after connecting is enough, retried until all are in.
  auto waitFor = [&](auto pred, std::chrono::seconds timeout) {
    std::unique_lock lock(counters.mutex);
    return counters.cv.wait_for(lock, timeout, pred);
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto passive = [](wasim::DeviceClient& c) {
    c.send(Node("iq", {{"id", "p1"}, {"type", "set"}, {"xmlns", "passive"}, {"to", "@s.whatsapp.net"}},
                Node::Children{Node("active")}));
  };
  auto connectDeadline = Clock::now() + std::chrono::seconds(120);
  std::vector<bool> sentPassive(devs.size());
  while (counters.loggedIn + connectFailures < opt.devices && Clock::now() < connectDeadline) {
    for (std::size_t i = 0; i < devs.size(); ++i) {
      if (!sentPassive[i] && devs[i].client) {
        passive(*devs[i].client);
        sentPassive[i] = true;
      }
    }
    waitFor([&] { return counters.loggedIn + connectFailures >= opt.devices; }, std::chrono::seconds(1));
  }
  auto tConnected = Clock::now();
  long rssConnected = rssKiB();
  std::printf("connect: %ld of %d devices logged in (%ld failed) in %.2f s (%.0f logins/s); %.1f KiB per connected "
              "device (server and client side together)\n",
              counters.loggedIn.load(), opt.devices, connectFailures.load(), seconds(tConnected - tAccounts),
              counters.loggedIn / seconds(tConnected - tAccounts),
              static_cast<double>(rssConnected - rssAccounts) / std::max(1L, counters.loggedIn.load()));
  if (counters.loggedIn < opt.devices) {
    std::cerr << "bench_wasim: not every device logged in\n";
  }

  // Relay: random pairs, W messages in flight.
  std::mt19937 rng(42);
  auto base = counters.received.load();
  auto receiptsBase = counters.receipts.load();
  auto tRelay = Clock::now();
  const double cpuRelay = cpuSeconds();
  const double serverCpuRelay = serverClocks.seconds();
  std::string payload(120, 'x');
  for (int sent = 0; sent < opt.messages; ++sent) {
    waitFor([&] { return sent - (counters.received - base) < opt.window; }, std::chrono::seconds(10));
    auto& from = devs[rng() % devs.size()];
    auto& to = devs[rng() % devs.size()];
    if (&from == &to || !from.client) {
      --sent;
      continue;
    }
    auto target = to.phone + ":" + std::to_string(to.device) + "@s.whatsapp.net";
    char id[32];
    std::snprintf(id, sizeof id, "3EB0%018X", sent);
    from.client->send(Node("message", {{"id", id}, {"to", to.phone + "@s.whatsapp.net"}, {"type", "text"}},
                           Node::Children{Node("participants", {},
                                               Node::Children{Node("to", {{"jid", target}},
                                                                   Node::Children{Node("enc", {{"v", "2"}, {"type", "msg"}},
                                                                                       wa::toBytes(payload))})})}));
  }
  bool all = waitFor([&] { return counters.received - base >= opt.messages && counters.receipts - receiptsBase >= opt.messages; },
                     std::chrono::seconds(120));
  auto tDone = Clock::now();
  double relaySeconds = seconds(tDone - tRelay);
  const double relayCpu = cpuSeconds() - cpuRelay;
  const double serverCpu = serverClocks.seconds() - serverCpuRelay;
  long delivered = counters.received - base;
  std::printf("relay: %ld of %d messages delivered, %ld delivery receipts back, in %.2f s: %.0f messages/s "
              "(each with its server ack and its receipt)%s; %.2f CPU s: %.0f messages per CPU second (server and "
              "clients)\n",
              delivered, opt.messages, counters.receipts - receiptsBase, relaySeconds, delivered / relaySeconds,
              all ? "" : " [incomplete]", relayCpu, delivered / std::max(0.001, relayCpu));
  std::printf("server: %.2f CPU s in the simulator's threads: %.0f messages per server CPU second, %.1f us each\n",
              serverCpu, delivered / std::max(0.001, serverCpu), 1e6 * serverCpu / std::max(1L, delivered));

  // Pending queues must be empty: every delivered message was acknowledged.
  std::size_t pending = 0;
  for (std::size_t i = 0; i < devs.size(); i += std::max<std::size_t>(1, devs.size() / 50)) {
    auto d = (*sim)->devices(devs[i].phone);
    if (d) {
      for (const auto& x : *d) {
        pending += x.pending;
      }
    }
  }
  std::printf("{\"devices\":%d,\"loggedIn\":%ld,\"loginsPerSecond\":%.0f,\"kibPerDevice\":%.1f,\"messages\":%ld,"
              "\"messagesPerSecond\":%.0f,\"messagesPerCpuSecond\":%.0f,\"messagesPerServerCpuSecond\":%.0f,\"sampledPending\":%zu,\"serverThreads\":%d,\"clientThreads\":%d}\n",
              opt.devices, counters.loggedIn.load(), counters.loggedIn / seconds(tConnected - tAccounts),
              static_cast<double>(rssConnected - rssAccounts) / std::max(1L, counters.loggedIn.load()), delivered,
              delivered / relaySeconds, delivered / std::max(0.001, relayCpu), delivered / std::max(0.001, serverCpu), pending, opt.serverThreads, opt.clientThreads);

  for (auto& d : devs) {
    if (d.client) {
      d.client->abort();
    }
  }
  (*sim)->stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  serverWork.reset();
  clientWork.reset();
  serverIo.stop();
  clientIo.stop();
  for (auto& t : threads) {
    t.join();
  }
  return all ? 0 : 2;
}
