// bench_crm: how many CRM deliveries per second the sync plugin makes, end to end: contact events
// into the outbox (SQLite), one HTTPS request per item (a new TLS connection each, as sb_http's
// client does) to a fake CRM on loopback, acknowledged items removed.
//
//   bench_crm [items=500] [target=rest|hubspot]

#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <thread>

#include <yaml-cpp/yaml.h>

#include "common/metrics.hpp"
#include "config/schema_validator.hpp"
#include "crm_plugin.hpp"
#include "fake_crm.hpp"
#include "pipeline/event_bus.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_context.hpp"
#include "storage/storage_config.hpp"
#include "storage/store.hpp"

namespace sb = switchboard;
namespace sdk = switchboard::sdk;

namespace {

class NoOutbound final : public sdk::Outbound {
 public:
  sdk::Result<sdk::CommandResult> submit(const sdk::OutboundCommand&) override {
    return sdk::Error::permanent("bench.no_outbound", "no commands here");
  }
};

template <typename F>
auto onStrand(const boost::asio::any_io_executor& ex, F f) -> decltype(f()) {
  std::packaged_task<decltype(f())()> task(std::move(f));
  auto result = task.get_future();
  boost::asio::post(ex, [&task] { task(); });
  return result.get();
}

}  // namespace

int main(int argc, char** argv) {
  const int items = argc > 1 ? std::atoi(argv[1]) : 500;
  const std::string target = argc > 2 ? argv[2] : "rest";
  if (items <= 0 || (target != "rest" && target != "hubspot")) {
    std::cerr << "usage: bench_crm [items>0] [rest|hubspot]\n";
    return 2;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("sbcrm-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto store = sb::host::openStore(sdk::ConfigValue::ofMap({
      {"url", sdk::ConfigValue::ofString("sqlite://" + (dir / "db.sqlite").string())},
      {"sqlite_synchronous", sdk::ConfigValue::ofString("normal")},
  }));
  if (!store.ok()) {
    std::cerr << store.error().describe() << "\n";
    return 1;
  }
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&io] { io.run(); });
  }
  sb::host::MetricsRegistry metrics;
  sb::host::LocalEventBus bus;
  NoOutbound outbound;
  {
    sb::host::Pipeline sink(io, sb::host::PipelineSettings{}, store.value(), bus, metrics, sb::host::RecordEncoder{});
    sb::host::HostServices services{io, metrics, store.value(), bus, outbound, sink, dir.string()};
    sb::crm::test::FakeCrm crm(io);
    const auto caFile = (dir / "ca.pem").string();
    std::ofstream(caFile) << crm.caPem();

    sb::host::ValidationContext vctx;
    vctx.file = "bench.yaml";
    vctx.env = [](const std::string&) { return std::nullopt; };
    const std::string yaml = "base_url: " + crm.baseUrl() + "\ntarget: " + target + "\ntls:\n  ca_file: " + caFile +
                             "\nauth:\n  kind: bearer\n  token: bench-token\n";
    auto config = sb::host::validateSection(YAML::Load(yaml), sb::crm::configSchema(), "", vctx);
    sb::host::PluginContextImpl context(services, "crm", config, nullptr);
    auto plugin = std::make_unique<sb::crm::CrmPlugin>(context);
    if (auto s = onStrand(context.executor(), [&] { return plugin->start(); }); !s.ok()) {
      std::cerr << s.error().describe() << "\n";
      return 1;
    }
    auto storage = store.value()->tenant(sdk::kDefaultTenant);
    std::vector<sdk::Event> events;
    for (int i = 0; i < items; ++i) {
      sdk::Contact c;
      c.phone = std::to_string(15550000000LL + i);
      c.name = "Customer " + std::to_string(i);
      c.tags = {"bench"};
      auto stored = storage->upsertContact(c);
      if (!stored.ok()) {
        std::cerr << stored.error().describe() << "\n";
        return 1;
      }
      sdk::Event e;
      e.type = "contact.created";
      e.subject = stored->id;
      events.push_back(e);
    }
    const auto start = std::chrono::steady_clock::now();
    for (const auto& e : events) {
      (void)onStrand(context.executor(), [&] { return plugin->onEvent(e); });
    }
    const auto queued = std::chrono::steady_clock::now();
    while (crm.contacts().size() < static_cast<std::size_t>(items)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      if (std::chrono::steady_clock::now() - start > std::chrono::minutes(5)) {
        std::cerr << "timed out with " << crm.contacts().size() << " of " << items << " delivered\n";
        return 1;
      }
    }
    const auto done = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(done - start).count();
    const double enqueue = std::chrono::duration<double>(queued - start).count();
    std::printf("target=%s items=%d requests=%zu seconds=%.3f deliveries_per_second=%.1f enqueue_per_second=%.1f\n",
                target.c_str(), items, crm.requestCount(), seconds, items / seconds, items / enqueue);
    onStrand(context.executor(), [&] {
      plugin->stop();
      plugin.reset();
      return 0;
    });
    crm.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  work.reset();
  io.stop();
  for (auto& t : threads) {
    t.join();
  }
  std::filesystem::remove_all(dir);
  return 0;
}
