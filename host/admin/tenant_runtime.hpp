#pragma once

// The daemon's side of a tenant's suspension, resumption and deletion (host::TenantRuntime): the
// tenant's own plugin instances stopped or started (through TenantInstances), and its accounts on
// the shared connectors disconnected or connected again through their account placement. Used by
// every path that changes a tenant's state (storage/tenant_lifecycle.hpp).

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "admin/admin_services.hpp"
#include "plugin/tenant_instances.hpp"
#include "storage/tenant_lifecycle.hpp"

namespace switchboard::admin {

class DaemonTenantRuntime final : public host::TenantRuntime {
 public:
  /// `instances` may be null (no per-tenant instances are managed); `plugins` may be null.
  DaemonTenantRuntime(PluginDirectory* plugins, std::shared_ptr<host::Store> store, host::TenantInstances* instances,
                      std::chrono::milliseconds deadline = std::chrono::seconds(10));

  host::TenantRuntimeChange stop(const std::string& tenant) override;
  host::TenantRuntimeChange start(const std::string& tenant) override;
  host::TenantRuntimeChange unlink(const std::string& tenant) override;

 private:
  /// The tenant's accounts: those stored and those the connectors' sessions run.
  std::set<std::string> accountsOf(const std::string& tenant);
  /// The tenant's sessions as the connectors with session control list them, with the instance.
  std::vector<std::pair<std::string, sdk::SessionStatus>> sessionsOf(const std::string& tenant);
  std::vector<std::string> placeAccounts(const std::string& tenant, bool release);
  std::vector<std::string> applyInstances(const std::string& tenant, bool started);

  PluginDirectory* plugins_;
  std::shared_ptr<host::Store> store_;
  host::TenantInstances* instances_;
  std::chrono::milliseconds deadline_;
};

}  // namespace switchboard::admin
