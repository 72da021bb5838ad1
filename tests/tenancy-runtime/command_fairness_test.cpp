// Outbound fairness: tenant A's campaign at a slow connector does not hold tenant B's commands
// behind it: A may fill only its share of the commands in flight, freed slots go to the tenants in
// turn, and at the connector each tenant's commands wait in their own line.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "pipeline/pipeline.hpp"
#include "plugin/plugin_manager.hpp"
#include "storage/storage_config.hpp"

using namespace switchboard::host;
using namespace std::chrono_literals;
namespace sb = switchboard::sdk;

namespace {

std::vector<std::string> lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) {
    out.push_back(l);
  }
  return out;
}

sb::OutboundCommand send(const std::string& tenant, const std::string& id) {
  sb::OutboundCommand c;
  c.commandId = id;
  c.tenant = tenant;
  c.account = "acct-" + tenant;
  c.kind = sb::CommandKind::SendText;
  c.to = "15550009999@s.whatsapp.net";
  c.text = "campaign message";
  return c;
}

}  // namespace

TEST(CommandFairness, QuietTenantsCommandOvertakesAnotherTenantsCampaign) {
  const auto dir = std::filesystem::temp_directory_path() / ("sb-cmdfair-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto opened = openStore(sb::ConfigValue::ofMap(
        {{"url", sb::ConfigValue::ofString("sqlite://" + (dir / "db.sqlite").string())},
         {"key_file", sb::ConfigValue::ofString((dir / "key").string())}}));
    ASSERT_TRUE(opened.ok()) << opened.error().describe();
    auto store = opened.value();
    for (const auto* t : {"a", "b"}) {
      (void)store->createTenant(t, t);
    }
    boost::asio::io_context io;
    auto work = boost::asio::make_work_guard(io);
    std::vector<std::thread> threads;
    MetricsRegistry metrics;
    LocalEventBus bus;
    PipelineSettings settings;
    settings.outboundInFlight = 4;
    settings.tenantShare = 75;  // a may hold 3 of the 4
    Pipeline pipeline(io, settings, store, bus, metrics, RecordEncoder{});
    HostServices services{io, metrics, store, bus, pipeline, pipeline, dir.string()};
    PluginCatalog catalog{dir.string()};
    PluginManager manager(services, catalog);
    pipeline.attachPlugins(manager);
    pipeline.start();
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&io] { io.run(); });
    }
    PluginSpec spec;
    spec.name = "slow";
    spec.library = SB_SLOW_CONNECTOR;
    spec.config = sb::ConfigValue::ofMap({{"sent_file", sb::ConfigValue::ofString((dir / "sent").string())},
                                          {"delay", sb::ConfigValue::ofInt(30)}});
    ASSERT_TRUE(manager.apply({spec}, 10s).failed.empty());

    constexpr int kCampaign = 50;
    for (int i = 0; i < kCampaign; ++i) {
      ASSERT_TRUE(pipeline.submit(send("a", "a-" + std::to_string(i))).ok());
    }
    const auto sentBefore = lines(dir / "sent").size();
    ASSERT_LT(sentBefore, static_cast<std::size_t>(kCampaign) - 20) << "the machine outran the test's backlog";
    // In flight at once: at most a's share (3 of 4); a slot comes back only when a send finished.
    const double dispatched = metrics.value("pipeline_commands_dispatched_total");
    EXPECT_LE(dispatched, 3.0 + static_cast<double>(lines(dir / "sent").size()))
        << "a holds more than its share of the commands in flight";
    // b-0 takes the free slot; b-1 and b-2 find none (every slot is taken) and wait in b's line.
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(pipeline.submit(send("b", "b-" + std::to_string(i))).ok());
    }

    const auto end = std::chrono::steady_clock::now() + 60s;
    while (lines(dir / "sent").size() < kCampaign + 3U && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(20ms);
    }
    const auto sent = lines(dir / "sent");
    ASSERT_EQ(sent.size(), kCampaign + 3U) << "commands held back never went out";
    for (int i = 0; i < 3; ++i) {
      const auto id = "b-" + std::to_string(i);
      const auto at = static_cast<std::size_t>(std::find(sent.begin(), sent.end(), id) - sent.begin());
      // Freed slots alternate between the tenants' lines: b's i-th command waits for a few of a's
      // sends, not for the rest of the campaign (about 40 here).
      EXPECT_LE(at - std::min(at, sentBefore), 3U * (i + 1))
          << id << " waited for " << at - std::min(at, sentBefore) << " sends";
    }
    manager.stopAll(5s);
    (void)pipeline.drain(std::chrono::steady_clock::now() + 5s);
    work.reset();
    for (auto& t : threads) {
      t.join();
    }
  }
  std::filesystem::remove_all(dir);
}
