// Plugin instances configured under `tenants:` run on the real pipeline (SQLite) and see only their
// tenant: its messages, events, storage, commands and accounts. A change in one tenant's section
// restarts only that tenant's instances.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "config/config_file.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_manager.hpp"
#include "storage/storage_config.hpp"

using namespace switchboard::host;
using namespace std::chrono_literals;
namespace sb = switchboard::sdk;

namespace {

bool waitFor(const std::function<bool()>& cond, std::chrono::milliseconds limit = 20s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) {
      return false;
    }
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::vector<std::string> lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) {
    out.push_back(l);
  }
  return out;
}

class RecordingOutbound final : public sb::Outbound {
 public:
  sb::Result<sb::CommandResult> submit(const sb::OutboundCommand& command) override {
    std::lock_guard lock(mutex);
    commands.push_back(command);
    sb::CommandResult r;
    r.commandId = command.commandId;
    r.tenant = command.tenant;
    return r;
  }
  std::mutex mutex;
  std::vector<sb::OutboundCommand> commands;
};

class RecordingSink final : public sb::InboundSink {
 public:
  sb::Status deliver(sb::InboundMessage message, Done) override {
    std::lock_guard lock(mutex);
    tenants.push_back(message.tenant);
    return sb::okStatus();
  }
  void event(const sb::Event& e) override {
    std::lock_guard lock(mutex);
    tenants.push_back(e.tenant);
  }
  void result(const sb::CommandResult& r) override {
    std::lock_guard lock(mutex);
    tenants.push_back(r.tenant);
  }
  sb::Status deliverWithState(sb::InboundDelivery d, Done done) override {
    return deliver(std::move(d.message), std::move(done));
  }
  std::mutex mutex;
  std::vector<std::string> tenants;
};

class TenantRuntime : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sbtenancy-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    sb::ConfigValue::Map m{{"url", sb::ConfigValue::ofString("sqlite://" + (dir_ / "db.sqlite").string())},
                           {"key_file", sb::ConfigValue::ofString((dir_ / "key").string())}};
    auto store = openStore(sb::ConfigValue::ofMap(std::move(m)));
    ASSERT_TRUE(store.ok()) << store.error().describe();
    store_ = store.value();
    for (const auto* t : {"acme", "beta"}) {
      (void)store_->createTenant(t, t);
    }
    threads_.emplace_back([this] { io_.run(); });
    threads_.emplace_back([this] { io_.run(); });
  }
  void TearDown() override {
    if (manager_) {
      manager_->stopAll(5s);
    }
    if (pipeline_) {
      (void)pipeline_->drain(std::chrono::steady_clock::now() + 5s);
    }
    work_.reset();
    for (auto& t : threads_) {
      t.join();
    }
    manager_.reset();
    pipeline_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void startPipeline() {
    PipelineSettings settings;
    settings.batchSize = 8;
    pipeline_ = std::make_unique<Pipeline>(io_, settings, store_, bus_, metrics_, RecordEncoder{});
    services_ = std::make_unique<HostServices>(HostServices{io_, metrics_, store_, bus_, *pipeline_, *pipeline_,
                                                            dir_.string()});
    manager_ = std::make_unique<PluginManager>(*services_, catalog_);
    pipeline_->attachPlugins(*manager_);
    pipeline_->start();
  }

  // Loads the YAML as the daemon does: every entry validated against its library's schema.
  std::vector<PluginSpec> load(const std::string& yaml) {
    const auto path = dir_ / "switchboard.yaml";
    std::ofstream(path) << yaml;
    ConfigErrors errors;
    auto config = ConfigFile().load(
        path.string(),
        [&](const std::string& library) -> sb::Result<sb::ConfigSchema> {
          auto lib = catalog_.resolve(library);
          if (!lib.ok()) {
            return lib.takeError();
          }
          return lib.value()->factory().configSchema();
        },
        errors, {}, [](const std::string&) { return std::optional<std::string>(); });
    EXPECT_TRUE(config) << describe(errors);
    return config ? config->plugins : std::vector<PluginSpec>{};
  }

  // Two tenants, each with a loopback connector generating "echo ..." messages; only acme has an
  // echo responder. `prefix` is acme's reply prefix.
  std::string yaml(const std::string& prefix) {
    auto connector = [&](const std::string& tenant) {
      return "      - name: lb\n        library: loopback\n        config:\n          account: acct-" + tenant +
             "\n          tenant: " + tenant + "\n          rate: 1\n          tick: 20ms\n          text: \"echo " +
             tenant + " {n}\"\n          sent_file: " + (dir_ / (tenant + "-sent")).string() +
             "\n          lifecycle_file: " + (dir_ / "lifecycle").string() + "\n";
    };
    return "tenants:\n  acme:\n    plugins:\n" + connector("acme") +
           "      - name: echo\n        library: echo\n        config: { reply_prefix: \"" + prefix + "\" }\n" +
           "  beta:\n    plugins:\n" + connector("beta");
  }

  std::filesystem::path dir_;
  std::shared_ptr<Store> store_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  MetricsRegistry metrics_;
  LocalEventBus bus_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<HostServices> services_;
  PluginCatalog catalog_{SB_PLUGIN_BUILD_DIR};
  std::unique_ptr<PluginManager> manager_;
};

}  // namespace

TEST_F(TenantRuntime, TenantsResponderAnswersOnlyItsTenantAndReloadRestartsOnlyThatTenant) {
  startPipeline();
  auto specs = load(yaml("acme says: "));
  ASSERT_EQ(specs.size(), 3U);
  auto r1 = manager_->apply(specs, 10s);
  ASSERT_TRUE(r1.failed.empty());
  EXPECT_EQ(r1.started, (std::vector<std::string>{"acme.lb", "acme.echo", "beta.lb"}));

  // acme's messages are echoed through acme's connector; beta's are stored but nobody answers them.
  ASSERT_TRUE(waitFor([&] { return lines(dir_ / "acme-sent").size() >= 3; })) << "acme's responder never answered";
  auto beta = store_->tenant("beta")->listConversations({});
  ASSERT_TRUE(beta.ok());
  ASSERT_TRUE(waitFor([&] {
    auto c = store_->tenant("beta")->listConversations({});
    return c.ok() && !c.value().empty();
  })) << "beta's messages were not stored";
  for (const auto& l : lines(dir_ / "acme-sent")) {
    EXPECT_NE(l.find("acme says: acme"), std::string::npos) << l;
  }
  EXPECT_TRUE(lines(dir_ / "beta-sent").empty()) << "acme's responder answered a message of beta";
  // Not even offered: a responder handed beta's message would have failed with tenant.mismatch.
  EXPECT_EQ(metrics_.value("pipeline_plugin_errors_total"), 0);

  // Only acme's echo changes: only it restarts; the connectors of both tenants keep running.
  auto r2 = manager_->apply(load(yaml("acme replies: ")), 10s);
  EXPECT_EQ(r2.restarted, (std::vector<std::string>{"acme.echo"}));
  EXPECT_EQ(r2.unchanged, (std::vector<std::string>{"acme.lb", "beta.lb"}));
  EXPECT_EQ(lines(dir_ / "lifecycle"), (std::vector<std::string>{"start acme.lb", "start beta.lb"}));
  ASSERT_TRUE(waitFor([&] {
    for (const auto& l : lines(dir_ / "acme-sent")) {
      if (l.find("acme replies: acme") != std::string::npos) {
        return true;
      }
    }
    return false;
  })) << "the restarted instance does not use its new section";
  EXPECT_TRUE(lines(dir_ / "beta-sent").empty());
}

TEST_F(TenantRuntime, ScopedContextSeesOnlyItsTenant) {
  RecordingOutbound outbound;
  RecordingSink sink;
  HostServices services{io_, metrics_, store_, bus_, outbound, sink, dir_.string()};
  PluginContextImpl acme(services, "acme.x", {}, nullptr, "acme");
  PluginContextImpl everyone(services, "x", {}, nullptr);

  // Storage: the default tenant means "mine"; another tenant is refused.
  ASSERT_NE(acme.storage(sb::kDefaultTenant), nullptr);
  EXPECT_EQ(acme.storage(sb::kDefaultTenant)->tenant(), "acme");
  EXPECT_EQ(acme.storage("acme")->tenant(), "acme");
  EXPECT_EQ(acme.storage("beta"), nullptr);
  ASSERT_TRUE(acme.storage(sb::kDefaultTenant)->putState("t", "k", "acme's").ok());
  EXPECT_FALSE(store_->tenant("beta")->getState("t", "k").value().has_value());
  EXPECT_EQ(*store_->tenant("acme")->getState("t", "k").value(), "acme's");
  EXPECT_EQ(everyone.storage("beta")->tenant(), "beta") << "an instance of every tenant keeps its reach";

  // Events: only acme's arrive; published ones carry acme.
  std::mutex m;
  std::vector<std::string> seen;
  auto sub = acme.events().subscribe("", [&](const sb::Event& e) {
    std::lock_guard lock(m);
    seen.push_back(e.tenant + ":" + e.type);
  });
  std::vector<std::string> onBus;
  auto busSub = bus_.subscribe("probe", [&](const sb::Event& e) {
    std::lock_guard lock(m);
    onBus.push_back(e.tenant);
  });
  for (const auto* t : {"beta", "acme", "default"}) {
    sb::Event e;
    e.type = "seen";
    e.tenant = t;
    bus_.publish(e);
  }
  sb::Event mine;
  mine.type = "probe";
  acme.events().publish(mine);
  mine.tenant = "beta";
  acme.events().publish(mine);
  ASSERT_TRUE(waitFor([&] {
    std::lock_guard lock(m);
    return !seen.empty();
  }));
  std::this_thread::sleep_for(50ms);
  {
    std::lock_guard lock(m);
    EXPECT_EQ(seen, (std::vector<std::string>{"acme:seen", "acme:probe"}));
    EXPECT_EQ(onBus, (std::vector<std::string>{"acme"})) << "an event for beta left acme's instance";
  }

  // Commands: stamped with acme; one for beta is refused before it reaches the pipeline.
  sb::OutboundCommand c;
  c.commandId = "c1";
  ASSERT_TRUE(acme.outbound().submit(c).ok());
  c.commandId = "c2";
  c.tenant = "beta";
  auto refused = acme.outbound().submit(c);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "tenant.mismatch");
  ASSERT_EQ(outbound.commands.size(), 1U);
  EXPECT_EQ(outbound.commands[0].tenant, "acme");

  // A connector's inbound messages: its tenant, never another.
  sb::InboundMessage msg;
  msg.networkId = "n1";
  ASSERT_TRUE(acme.inbound().deliver(msg, {}).ok());
  msg.tenant = "beta";
  EXPECT_EQ(acme.inbound().deliver(msg, {}).error().code, "tenant.mismatch");
  EXPECT_EQ(sink.tenants, (std::vector<std::string>{"acme"}));
}

TEST_F(TenantRuntime, ScopedConnectorStorageRunsOnlyItsTenantsAccounts) {
  auto acme = makeConnectorStorage(store_, "acme.wa", "acme");
  auto beta = makeConnectorStorage(store_, "beta.wa", "beta");
  ASSERT_TRUE(acme->putAccount({"a1", sb::kDefaultTenant, "", "A", "new"}).ok());
  ASSERT_TRUE(beta->putAccount({"b1", "beta", "", "B", "new"}).ok());
  auto record = store_->getAccount("a1");
  ASSERT_TRUE(record.ok() && record.value());
  EXPECT_EQ(record.value()->tenant, "acme") << "the default tenant of a scoped connector is its own";
  EXPECT_EQ(acme->putAccount({"a2", "beta", "", "", "new"}).error().code, "tenant.mismatch");

  auto listed = acme->accounts();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed.value().size(), 1U);
  EXPECT_EQ(listed.value()[0].id, "a1");

  ASSERT_TRUE(beta->saveCredentials("b1", "secret of b1").ok());
  auto stolen = acme->loadCredentials("b1");
  ASSERT_FALSE(stolen.ok());
  EXPECT_EQ(stolen.error().code, "tenant.mismatch");
  EXPECT_EQ(acme->putSignal("b1", {{sb::SignalTable::Session, "k", "v"}}).error().code, "tenant.mismatch");
  EXPECT_TRUE(acme->saveCredentials("a1", "secret of a1").ok());
}
