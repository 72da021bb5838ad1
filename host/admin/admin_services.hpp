#pragma once

// What the admin API needs from the rest of the daemon, as interfaces, so the API can be tested
// against fakes and the daemon can wire in the real plugin manager and Kafka bridge.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "admin/cluster_service.hpp"
#include "common/metrics.hpp"
#include "plugin/plugin_http.hpp"
#include "storage/store.hpp"
#include "storage/tenant_lifecycle.hpp"
#include "switchboard/sdk/context.hpp"
#include "switchboard/sdk/account_placement.hpp"
#include "switchboard/sdk/session_control.hpp"

namespace switchboard::admin {

namespace sdk = switchboard::sdk;

/// One configured plugin instance as the API reports it.
struct PluginState {
  std::string name;      ///< instance name
  std::string library;
  std::string version;   ///< the library's version, when loaded
  bool enabled = true;
  bool running = false;
  std::vector<std::string> kinds;  ///< connector, router, responder, sync, sessions
};

/// The plugin side of the daemon.
class PluginDirectory {
 public:
  virtual ~PluginDirectory() = default;
  virtual std::vector<PluginState> plugins() = 0;
  /// Instance names of the running plugins that implement sdk::SessionControl.
  virtual std::vector<std::string> sessionControllers() = 0;
  /// Runs `call` with the instance's SessionControl on the plugin's strand and waits for it (at most
  /// `deadline`). Errors: "plugin.not_found", "plugin.timeout" (the call may still run later).
  virtual sdk::Status withSessionControl(const std::string& instance,
                                         std::function<void(sdk::SessionControl&)> call,
                                         std::chrono::milliseconds deadline) = 0;
  /// Runs `call` with each running plugin that implements sdk::AccountPlacement, on its strand,
  /// waiting for each (at most `deadline`); returns how many were called. Used to disconnect a
  /// suspended tenant's accounts and to reconnect them on resume.
  virtual sdk::Result<int> withAccountPlacement(std::function<sdk::Status(sdk::AccountPlacement&)> call,
                                                std::chrono::milliseconds deadline) {
    (void)call, (void)deadline;
    return 0;
  }
};

/// One component of readiness.
struct ComponentHealth {
  bool ok = true;
  std::string detail;
};

/// Everything the API serves. `store`, `outbound`, `events` and `metrics` are required; the rest may
/// be left empty (the matching endpoints then report the component as absent).
struct AdminServices {
  std::shared_ptr<host::Store> store;
  sdk::Outbound* outbound = nullptr;
  sdk::EventBus* events = nullptr;
  host::MetricsRegistry* metrics = nullptr;
  PluginDirectory* plugins = nullptr;
  std::function<ComponentHealth()> kafkaHealth;
  /// Plugin HTTP routes (SDK addHttpRoute), served at POST /v1/hooks/{instance}/{name}.
  std::shared_ptr<host::PluginRouteTable> pluginRoutes = nullptr;
  /// Where the API announces the changes it makes (contact.created, .updated, .tags, .note): the
  /// pipeline, which publishes them on the bus and on Kafka `events`. Unset: on `events` only.
  sdk::InboundSink* announcer = nullptr;
  /// Scale-out (cluster.enabled): account owners and control commands. Unset: /v1/cluster is a 404.
  ClusterService* cluster = nullptr;
  /// Tenant suspension, resumption and deletion, shared with Kafka `control` (the daemon's, with
  /// its tenant instances). Unset: the API builds one over `plugins` for each such request.
  host::TenantLifecycle* tenants = nullptr;
};

}  // namespace switchboard::admin
