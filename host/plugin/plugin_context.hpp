#pragma once

// The host context handed to one plugin instance.

#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "common/logging.hpp"
#include "common/metrics.hpp"
#include "plugin/plugin_http.hpp"
#include "plugin/plugin_library.hpp"
#include "storage/store.hpp"
#include "switchboard/sdk/context.hpp"

namespace switchboard::host {

/// Services shared by all plugin instances. Owned by the daemon; outlive every instance.
struct HostServices {
  boost::asio::io_context& io;
  MetricsRegistry& metrics;
  std::shared_ptr<Store> store;  // null only in tests that run without storage
  sdk::EventBus& events;
  sdk::Outbound& outbound;
  sdk::InboundSink& inbound;
  std::string stateDir;
  /// Plugin HTTP routes (SDK 1.2), served by the admin API through mountPluginRoutes().
  std::shared_ptr<PluginRouteTable> httpRoutes = std::make_shared<PluginRouteTable>();
};

class PluginContextImpl final : public sdk::PluginContext {
 public:
  PluginContextImpl(HostServices& services, std::string instance, sdk::ConfigValue config, PluginLibraryPtr library);
  ~PluginContextImpl() override;

  const std::string& instanceName() const override { return instance_; }
  const sdk::ConfigValue& config() const override { return config_; }
  sdk::Logger& logger() override { return logger_; }
  sdk::Metrics& metrics() override { return metrics_; }
  boost::asio::any_io_executor executor() override { return strand_; }
  std::shared_ptr<sdk::TenantStorage> storage(const sdk::TenantId& tenant) override;
  sdk::EventBus& events() override { return *events_; }
  sdk::Outbound& outbound() override { return services_.outbound; }
  sdk::InboundSink& inbound() override { return services_.inbound; }
  std::string stateDirectory() const override;
  sdk::ConnectorStorage* connectorStorage() override { return connectorStorage_.get(); }
  sdk::Result<std::shared_ptr<sdk::HttpClient>> httpClient(const sdk::HttpClientOptions& options) override;
  sdk::Result<std::unique_ptr<sdk::HttpRoute>> addHttpRoute(const std::string& name,
                                                            sdk::HttpRouteHandler handler) override;

  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  Strand& strand() { return strand_; }

 private:
  HostServices& services_;
  std::string instance_;
  sdk::ConfigValue config_;
  PluginLogger logger_;
  PluginMetrics metrics_;
  Strand strand_;
  std::unique_ptr<sdk::EventBus> events_;
  std::unique_ptr<sdk::ConnectorStorage> connectorStorage_;  // null without a store
  PluginLibraryPtr library_;  // kept loaded by queued HTTP answers and route calls
};

/// The connector storage of one plugin instance over the host store (exposed for tests).
std::unique_ptr<sdk::ConnectorStorage> makeConnectorStorage(std::shared_ptr<Store> store, std::string instance);

}  // namespace switchboard::host
