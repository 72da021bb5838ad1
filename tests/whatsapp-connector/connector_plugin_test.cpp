// switchboard-whatsapp.so loaded as the daemon loads it: its ABI record and schema, configuration
// errors refused at start with a sentence, and a start/stop against an unreachable server that
// leaves nothing of the library running after stop (the library is unloaded right after).

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <yaml-cpp/yaml.h>

#include "config/schema_validator.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_manager.hpp"
#include "storage/storage_config.hpp"

using namespace switchboard::host;
namespace sb = switchboard::sdk;
using namespace std::chrono_literals;

namespace {

// A loopback port nobody listens on (bound, then closed).
int deadPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

struct Host {
  std::filesystem::path dir;
  std::shared_ptr<Store> store;
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread;
  MetricsRegistry metrics;
  LocalEventBus bus;
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<HostServices> services;
  PluginCatalog catalog{SB_PLUGIN_BUILD_DIR};
  std::unique_ptr<PluginManager> manager;
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<sb::Event> events;
  std::unique_ptr<sb::EventBus::Subscription> sub;

  explicit Host(bool withStore) {
    dir = std::filesystem::temp_directory_path() / ("sbwaplugin-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    if (withStore) {
      sb::ConfigValue::Map m;
      m["url"] = sb::ConfigValue::ofString("sqlite://" + (dir / "db.sqlite").string());
      store = openStore(sb::ConfigValue::ofMap(std::move(m))).value();
    }
    pipeline = std::make_unique<Pipeline>(io, PipelineSettings{}, store, bus, metrics, RecordEncoder{});
    services = std::make_unique<HostServices>(HostServices{io, metrics, store, bus, *pipeline, *pipeline,
                                                           (dir / "state").string()});
    manager = std::make_unique<PluginManager>(*services, catalog);
    pipeline->attachPlugins(*manager);
    sub = bus.subscribe("session.", [this](const sb::Event& e) {
      std::lock_guard lock(mutex);
      events.push_back(e);
      cv.notify_all();
    });
    thread = std::thread([this] { io.run(); });
  }
  ~Host() {
    manager->stopAll(10s);
    sub.reset();
    pipeline->drain(std::chrono::steady_clock::now() + 2s);
    work.reset();
    thread.join();
    manager.reset();
    pipeline.reset();
    std::filesystem::remove_all(dir);
  }

  PluginSpec spec(const std::string& yaml) {
    auto library = catalog.resolve("switchboard-whatsapp");
    EXPECT_TRUE(library.ok());
    ValidationContext ctx;
    ctx.env = processEnv;
    PluginSpec s;
    s.name = "wa";
    s.library = "switchboard-whatsapp";
    s.config = validateSection(YAML::Load(yaml), library.value()->factory().configSchema(), "plugins.wa", ctx);
    EXPECT_TRUE(ctx.errors.empty()) << (ctx.errors.empty() ? "" : ctx.errors.front().describe());
    return s;
  }

  bool waitForState(const std::string& state, std::chrono::milliseconds limit = 20s) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, limit, [&] {
      return std::any_of(events.begin(), events.end(), [&](const sb::Event& e) {
        return e.type == "session.state" && e.attributes.count("state") && e.attributes.at("state") == state;
      });
    });
  }
};

}  // namespace

TEST(WaConnectorPlugin, AbiRecordAndSchema) {
  auto lib = PluginLibrary::open(std::string(SB_PLUGIN_BUILD_DIR) + "/switchboard-whatsapp.so");
  ASSERT_TRUE(lib.ok()) << lib.error().describe();
  EXPECT_STREQ(lib.value()->abi().pluginName, "whatsapp");
  EXPECT_EQ(lib.value()->abi().sdkMinor, static_cast<std::uint32_t>(SWITCHBOARD_SDK_VERSION_MINOR));
  auto schema = lib.value()->factory().configSchema();
  std::set<std::string> keys;
  for (const auto& f : schema.fields) {
    keys.insert(f.name);
  }
  for (const char* k : {"accounts", "server_url", "trusted_root_key", "reconnect", "pacing", "media_dir"}) {
    EXPECT_TRUE(keys.count(k)) << k;
  }
}

TEST(WaConnectorPlugin, BadCombinationsAreRefusedAtStart) {
  Host host(true);
  auto report = host.manager->apply({host.spec("accounts: [{id: \"1555\", pairing: code}]\n")}, 10s);
  EXPECT_EQ(report.failed, (std::vector<std::string>{"wa"}));
  auto noStore = std::make_unique<Host>(false);
  auto r2 = noStore->manager->apply({noStore->spec("accounts: [{id: \"15551230001\"}]\n")}, 10s);
  EXPECT_EQ(r2.failed, (std::vector<std::string>{"wa"}));
}

TEST(WaConnectorPlugin, UnreachableServerReconnectsAndStopsCleanly) {
  Host host(true);
  const std::string yaml = "server_url: ws://127.0.0.1:" + std::to_string(deadPort()) +
                           "/ws/chat\nreconnect: {initial: 20ms, max: 50ms}\naccounts: [{id: \"15551230001\"}]\n";
  auto report = host.manager->apply({host.spec(yaml)}, 10s);
  ASSERT_EQ(report.started, (std::vector<std::string>{"wa"}));
  ASSERT_TRUE(host.waitForState("disconnected"));
  EXPECT_TRUE(host.waitForState("connecting"));
  // The account is recorded for this instance, with no credentials yet (nothing was paired).
  auto account = host.store->getAccount("15551230001");
  ASSERT_TRUE(account.ok() && account.value());
  EXPECT_EQ(account.value()->state, "new");
  const auto t0 = std::chrono::steady_clock::now();
  host.manager->stopAll(10s);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 6s);
  EXPECT_TRUE(host.waitForState("stopped", 1s));
}
