// How long the analytics queries take on a populated store: N conversations over 30 days (three
// customer messages and two replies each, two in three closed by one of 20 agents), then the
// summary, the per-agent figures and messages per hour, over 30 days and over one day, on SQLite
// and on a throwaway PostgreSQL.
//
//   cmake --preset bench -B build-bench && cmake --build build-bench --target bench_analytics
//   build-bench/tests/bench/bench_analytics [conversations (default 10000)] [sqlite|postgres|both]

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "storage/storage_config.hpp"
#include "support/postgres_server.hpp"

namespace {

namespace sb = switchboard::sdk;
using switchboard::host::InboundWrite;
using switchboard::host::Store;

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kStart = 1'772'323'200'000;  // 2026-03-01 00:00 UTC

double secondsOf(const std::function<void()>& fn) {
  const auto t0 = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void populate(Store& store, int conversations) {
  auto tenant = store.tenant("default");
  std::vector<InboundWrite> batch;
  std::vector<std::pair<std::string, std::int64_t>> closes;
  auto flush = [&] {
    if (batch.empty()) {
      return;
    }
    auto stored = store.storeInbound(batch);
    if (!stored.ok()) {
      std::fprintf(stderr, "store failed: %s\n", stored.error().describe().c_str());
      std::exit(1);
    }
    // Each conversation's five messages are adjacent; it is closed a minute after its last.
    for (std::size_t i = 0; i < batch.size(); i += 5) {
      const auto conv = stored.value()[i].conversation;
      closes.emplace_back(conv, batch[i + 4].message.timestamp + 60'000);
    }
    batch.clear();
  };
  int seq = 0;
  for (int c = 0; c < conversations; ++c) {
    const std::string peer = "1555" + std::to_string(1'000'000 + c);
    const std::int64_t t0 = kStart + (static_cast<std::int64_t>(c) * 30 * kDay) / conversations;
    // customer, customer, reply (our phone), customer, reply
    const int pattern[5] = {0, 0, 1, 0, 1};
    for (int k = 0; k < 5; ++k) {
      InboundWrite w;
      w.message.account = "15550001";
      w.message.networkId = "b" + std::to_string(++seq);
      w.message.chat = peer + "@s.whatsapp.net";
      w.message.fromMe = pattern[k] == 1;
      w.message.sender = w.message.fromMe ? "15550001@s.whatsapp.net" : w.message.chat;
      w.message.timestamp = t0 + k * 90'000;
      w.message.text = "message " + std::to_string(k);
      w.outbox.topic = "inbound";
      batch.push_back(std::move(w));
    }
    if (batch.size() >= 500) {
      flush();
    }
  }
  flush();
  for (std::size_t i = 0; i < closes.size(); ++i) {
    if (i % 3 != 2) {
      (void)tenant->recordConversationClosed(closes[i].first, "agent" + std::to_string(i % 20), closes[i].second);
    }
  }
}

void run(const std::string& name, const std::string& url, const std::string& dir, int conversations) {
  sb::ConfigValue::Map m{{"url", sb::ConfigValue::ofString(url)},
                         {"key_file", sb::ConfigValue::ofString(dir + "/key")},
                         {"pool_size", sb::ConfigValue::ofInt(4)}};
  auto store = switchboard::host::openStore(sb::ConfigValue::ofMap(std::move(m)));
  if (!store.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), store.error().describe().c_str());
    return;
  }
  const double fill = secondsOf([&] { populate(*store.value(), conversations); });
  std::printf("%s: %d conversations, %d messages stored in %.1f s\n", name.c_str(), conversations,
              conversations * 5, fill);
  auto t = store.value()->tenant("default");
  const sb::AnalyticsRange month{kStart, kStart + 30 * kDay, "Europe/Berlin"};
  const sb::AnalyticsRange day{kStart + 10 * kDay, kStart + 11 * kDay, "Europe/Berlin"};
  for (const auto& [label, range] : {std::pair{"30 days", month}, std::pair{"1 day", day}}) {
    sb::AnalyticsSummary s;
    const double summary = secondsOf([&] { s = t->analyticsSummary(range).value(); });
    const double agents = secondsOf([&] { (void)t->agentAnalytics(range).value(); });
    const double hours = secondsOf([&] { (void)t->messageVolume(range, sb::AnalyticsBucket::Hour).value(); });
    std::printf("  %-7s summary %7.3f s (%lld conversations, %lld resolved)  agents %7.3f s  messages/hour %7.3f s\n",
                label, summary, static_cast<long long>(s.episodes), static_cast<long long>(s.resolved), agents,
                hours);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int conversations = argc > 1 ? std::atoi(argv[1]) : 10'000;
  const std::string which = argc > 2 ? argv[2] : "both";
  std::string dir = "/tmp/sb-bench-analytics-XXXXXX";
  if (::mkdtemp(dir.data()) == nullptr) {
    return 1;
  }
  if (which != "postgres") {
    run("sqlite", "sqlite://" + dir + "/db.sqlite", dir, conversations);
  }
  if (which != "sqlite") {
    std::string error;
    auto pg = switchboard::testing::PostgresServer::start(error);
    if (!pg || !pg->createDatabase("bench", error)) {
      std::fprintf(stderr, "postgres: %s\n", error.c_str());
    } else {
      run("postgres", pg->url("bench"), dir, conversations);
    }
  }
  const std::string cmd = "rm -rf '" + dir + "'";
  return std::system(cmd.c_str()) == 0 ? 0 : 1;
}
