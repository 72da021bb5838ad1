#include "admin_test_support.hpp"

#include <atomic>
#include <set>
#include <gtest/gtest.h>
#include <unistd.h>

namespace admintest {

using namespace std::chrono_literals;

bool waitFor(const std::function<bool()>& cond, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) {
      return false;
    }
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

admin::AdminSettings AdminHarness::defaults() {
  admin::AdminSettings s;
  s.enabled = true;
  s.port = 0;
  s.rateLimit = 0;
  s.tokenRateLimit = 0;
  return s;
}

AdminHarness::AdminHarness(admin::AdminSettings settings, std::int64_t linkAfterMs, const std::string& storageUrl) {
  static std::atomic<int> counter{0};
  dir = std::filesystem::temp_directory_path() /
        ("sbadmin-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  sb::ConfigValue::Map m;
  m["url"] = sb::ConfigValue::ofString(storageUrl.empty() ? "sqlite://" + (dir / "db.sqlite").string() : storageUrl);
  m["busy_timeout"] = sb::ConfigValue::ofInt(2000);
  m["key_file"] = sb::ConfigValue::ofString((dir / "storage.key").string());  // PostgreSQL needs one
  auto opened = host::openStore(sb::ConfigValue::ofMap(std::move(m)));
  if (!opened.ok()) {
    ADD_FAILURE() << opened.error().describe();
    return;
  }
  store = opened.value();
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([this] { io.run(); });
  }
  host::PipelineSettings ps;
  ps.batchLinger = 1ms;
  pipeline = std::make_unique<host::Pipeline>(io, ps, store, bus, metrics, host::RecordEncoder{});
  services = std::make_unique<host::HostServices>(
      host::HostServices{io, metrics, store, bus, *pipeline, *pipeline, (dir / "state").string()});
  catalog = std::make_unique<host::PluginCatalog>(std::string(SB_BINARY_DIR) + "/tests/admin");
  plugins = std::make_unique<host::PluginManager>(*services, *catalog);
  pipeline->attachPlugins(*plugins);
  pipeline->start();

  host::PluginSpec spec;
  spec.name = "wa";
  spec.library = FAKE_SESSION_PLUGIN;
  sb::ConfigValue::Map config;
  config["link_after_ms"] = sb::ConfigValue::ofInt(linkAfterMs);
  config["tenant"] = sb::ConfigValue::ofString("default");
  config["linked"] = sb::ConfigValue::ofList({sb::ConfigValue::ofString("15550001")});
  spec.config = sb::ConfigValue::ofMap(std::move(config));
  specs = {spec};
  auto tenancy = host::Tenancy::of(store);
  instances = std::make_unique<host::TenantInstances>(*plugins, [tenancy] {
    std::set<std::string> suspended;
    if (tenancy.ok()) {
      for (const auto& t : tenancy.value()->list().valueOr({})) {
        if (t.state == host::kTenantSuspended) {
          suspended.insert(t.id);
        }
      }
    }
    return suspended;
  });
  auto report = instances->apply(specs, 5s);
  EXPECT_TRUE(report.failed.empty());
  directory = std::make_unique<admin::DaemonPluginDirectory>(*plugins, *catalog, [this] { return specs; });
  if (tenancy.ok()) {
    runtime = std::make_unique<admin::DaemonTenantRuntime>(directory.get(), store, instances.get());
    lifecycle = std::make_shared<host::TenantLifecycle>(store, tenancy.value(), &bus);
    lifecycle->setRuntime(runtime.get());
  }

  admin::AdminServices adminServices{store, pipeline.get(), &bus, &metrics, directory.get(), [this] {
                                       return admin::ComponentHealth{kafkaOk, kafkaOk ? "fine" : "broker away"};
                                     },
                                     services->httpRoutes};
  adminServices.tenants = lifecycle.get();
  api = std::make_unique<admin::AdminApi>(settings, adminServices);
  auto started = api->start(io.get_executor());
  EXPECT_TRUE(started.ok()) << started.error().describe();
}

AdminHarness::~AdminHarness() {
  if (api) {
    api->stop();
  }
  if (lifecycle) {
    lifecycle->setRuntime(nullptr);
  }
  if (plugins) {
    plugins->stopAll(5s);
  }
  if (pipeline) {
    pipeline->drain(std::chrono::steady_clock::now() + 5s);
  }
  api.reset();
  work.reset();
  for (auto& t : threads) {
    t.join();
  }
  runtime.reset();
  instances.reset();
  directory.reset();
  plugins.reset();
  pipeline.reset();
  store.reset();
  std::filesystem::remove_all(dir);
}

std::string AdminHarness::token(const std::string& name, const std::string& role, const std::string& tenant) {
  auto t = api->createToken(name, role, tenant);
  EXPECT_TRUE(t.ok()) << t.error().describe();
  return t.ok() ? t.value() : std::string();
}

Reply AdminHarness::call(const std::string& method, const std::string& path, const std::string& token,
                         const std::string& body, const std::string& contentType) {
  http::ClientRequest req;
  req.method = method;
  req.url = api->baseUrl() + path;
  if (!token.empty()) {
    req.headers["Authorization"] = "Bearer " + token;
  }
  if (!body.empty()) {
    req.headers["Content-Type"] = contentType;
  }
  req.body = body;
  http::ClientOptions o;
  o.timeout = 20s;
  auto r = http::fetch(o, req);
  if (!r.ok()) {
    ADD_FAILURE() << method << " " << path << ": " << r.error().describe();
    return {};
  }
  return {r->status, r->body, r->headers};
}

void AdminHarness::receive(const std::string& account, const std::string& fromPhone, const std::string& text,
                           const std::string& tenant, sb::TimestampMs at) {
  sb::InboundMessage m;
  m.tenant = tenant;
  m.account = account;
  m.networkId = "IN" + std::to_string(++received_) + "-" + fromPhone;
  m.chat = fromPhone + "@s.whatsapp.net";
  m.sender = m.chat;
  m.senderName = "Customer " + fromPhone;
  m.timestamp = at != 0 ? at : 1'700'000'000'000 + received_ * 1000;
  m.text = text;
  std::atomic<bool> done{false};
  auto s = pipeline->deliver(m, [&done](sb::Status) { done = true; });
  ASSERT_TRUE(s.ok()) << s.error().describe();
  ASSERT_TRUE(waitFor([&] { return done.load(); }));
}

}  // namespace admintest
