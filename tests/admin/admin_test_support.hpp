#pragma once

// A daemon's worth of parts for admin API tests, in process: SQLite store, pipeline, plugin
// manager running the fake session connector, and the admin API on a free loopback port.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "admin/admin_api.hpp"
#include "admin/plugin_directory.hpp"
#include "admin/tenant_runtime.hpp"
#include "http/client.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_manager.hpp"
#include "plugin/tenant_instances.hpp"
#include "storage/storage_config.hpp"

namespace admintest {

namespace sb = switchboard::sdk;
namespace host = switchboard::host;
namespace admin = switchboard::admin;
namespace http = switchboard::http;
using json = nlohmann::json;

struct Reply {
  unsigned status = 0;
  std::string body;
  http::Headers headers;
  json j() const {
    auto parsed = json::parse(body, nullptr, false);
    return parsed;
  }
  std::string code() const {
    auto p = j();
    return p.is_object() && p.contains("error") ? p["error"].value("code", "") : "";
  }
};

class AdminHarness {
 public:
  /// `storageUrl`: the database to use (a fresh one); empty for a SQLite file in the harness's dir.
  explicit AdminHarness(admin::AdminSettings settings = defaults(), std::int64_t linkAfterMs = 0,
                        const std::string& storageUrl = "");
  ~AdminHarness();

  static admin::AdminSettings defaults();

  Reply call(const std::string& method, const std::string& path, const std::string& token, const std::string& body = "",
             const std::string& contentType = "application/json");
  /// Stores an inbound message through the pipeline and waits for it to be committed. Sent at
  /// `at` (ms since the epoch), or at a fixed time in 2023 plus a second per message.
  void receive(const std::string& account, const std::string& fromPhone, const std::string& text,
               const std::string& tenant = "default", sb::TimestampMs at = 0);
  std::string token(const std::string& name, const std::string& role, const std::string& tenant = "");

  std::string baseUrl() const { return api->baseUrl(); }

  std::filesystem::path dir;
  std::shared_ptr<host::Store> store;
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::vector<std::thread> threads;
  host::MetricsRegistry metrics;
  host::LocalEventBus bus;
  std::unique_ptr<host::Pipeline> pipeline;
  std::unique_ptr<host::HostServices> services;
  std::unique_ptr<host::PluginCatalog> catalog;
  std::unique_ptr<host::PluginManager> plugins;
  std::vector<host::PluginSpec> specs;
  std::unique_ptr<admin::DaemonPluginDirectory> directory;
  // As the daemon wires them: tenant transitions (API and Kafka alike) stop and start a tenant's
  // own instances (applied through `instances`) and place its accounts.
  std::unique_ptr<host::TenantInstances> instances;
  std::unique_ptr<admin::DaemonTenantRuntime> runtime;
  std::shared_ptr<host::TenantLifecycle> lifecycle;
  std::unique_ptr<admin::AdminApi> api;
  bool kafkaOk = true;

 private:
  int received_ = 0;
};

bool waitFor(const std::function<bool()>& cond, std::chrono::milliseconds limit = std::chrono::seconds(10));

}  // namespace admintest
