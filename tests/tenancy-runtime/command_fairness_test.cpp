// Outbound fairness: tenant A's campaign queued at a slow connector does not hold tenant B's
// command behind it, and A may fill only its share of the commands in flight.

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
    settings.outboundInFlight = 20;
    settings.tenantShare = 75;  // a may hold 15 of the 20
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
    // In flight at once: at most a's share (15 of 20); a slot comes back only when a send finished.
    const double dispatched = metrics.value("pipeline_commands_dispatched_total");
    EXPECT_LE(dispatched, 15.0 + static_cast<double>(lines(dir / "sent").size()))
        << "a holds more than its share of the commands in flight";
    ASSERT_TRUE(pipeline.submit(send("b", "b-0")).ok());

    const auto end = std::chrono::steady_clock::now() + 60s;
    while (lines(dir / "sent").size() < kCampaign + 1U && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(20ms);
    }
    const auto sent = lines(dir / "sent");
    ASSERT_EQ(sent.size(), kCampaign + 1U) << "commands held in storage never went out";
    const auto at = static_cast<std::size_t>(std::find(sent.begin(), sent.end(), "b-0") - sent.begin());
    // At most the send in progress and the one whose turn it was when b's arrived.
    EXPECT_LE(at - std::min(at, sentBefore), 2U)
        << "b's command waited for " << at - std::min(at, sentBefore) << " of a's sends";
    manager.stopAll(5s);
    (void)pipeline.drain(std::chrono::steady_clock::now() + 5s);
    work.reset();
    for (auto& t : threads) {
      t.join();
    }
  }
  std::filesystem::remove_all(dir);
}
