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
  /// Scale-out (host/cluster): the daemons' consumer group decides which accounts run here.
  bool accountsPlacedByHost = false;
};

class PluginContextImpl final : public sdk::PluginContext {
 public:
  /// `tenant` non-empty: the instance sees only that tenant (storage, events, commands, accounts).
  PluginContextImpl(HostServices& services, std::string instance, sdk::ConfigValue config, PluginLibraryPtr library,
                    std::string tenant = {});
  ~PluginContextImpl() override;

  const std::string& instanceName() const override { return instance_; }
  const sdk::ConfigValue& config() const override { return config_; }
  sdk::Logger& logger() override { return logger_; }
  sdk::Metrics& metrics() override { return metrics_; }
  boost::asio::any_io_executor executor() override { return strand_; }
  std::shared_ptr<sdk::TenantStorage> storage(const sdk::TenantId& tenant) override;
  sdk::EventBus& events() override { return *events_; }
  sdk::Outbound& outbound() override { return outbound_ ? *outbound_ : services_.outbound; }
  sdk::InboundSink& inbound() override { return inbound_ ? *inbound_ : services_.inbound; }
  std::string stateDirectory() const override;
  sdk::ConnectorStorage* connectorStorage() override { return connectorStorage_.get(); }
  bool accountsPlacedByHost() const override { return services_.accountsPlacedByHost; }
  sdk::Result<std::shared_ptr<sdk::HttpClient>> httpClient(const sdk::HttpClientOptions& options) override;
  sdk::Result<std::unique_ptr<sdk::HttpRoute>> addHttpRoute(const std::string& name,
                                                            sdk::HttpRouteHandler handler) override;

  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  Strand& strand() { return strand_; }
  /// The tenant this instance serves; empty: every tenant.
  const std::string& tenant() const { return tenant_; }

 private:
  HostServices& services_;
  std::string instance_;
  std::string tenant_;
  sdk::ConfigValue config_;
  PluginLogger logger_;
  PluginMetrics metrics_;
  Strand strand_;
  std::unique_ptr<sdk::EventBus> events_;
  std::unique_ptr<sdk::Outbound> outbound_;     // set for a tenant's instance
  std::unique_ptr<sdk::InboundSink> inbound_;   // set for a tenant's instance
  std::unique_ptr<sdk::ConnectorStorage> connectorStorage_;  // null without a store
  PluginLibraryPtr library_;  // kept loaded by queued HTTP answers and route calls
};

/// The connector storage of one plugin instance over the host store (exposed for tests).
/// `tenant` non-empty: only that tenant's accounts.
std::unique_ptr<sdk::ConnectorStorage> makeConnectorStorage(std::shared_ptr<Store> store, std::string instance,
                                                             std::string tenant = {});

}  // namespace switchboard::host
