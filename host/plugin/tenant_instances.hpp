#pragma once

// Which configured plugin instances run, given the tenants' states: every instance of a suspended
// tenant (`tenants.<id>.plugins`) is held stopped, whatever the configuration says. Startup, a
// SIGHUP reload and a tenant's suspension or resumption all apply the configuration through here,
// so a reload cannot restart a suspended tenant's instances and a resumption starts exactly the
// instances the configuration in force has for it. PluginManager::apply restarts only instances
// whose spec changed, so one tenant's change never touches another tenant's instances.

#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "plugin/plugin_manager.hpp"

namespace switchboard::host {

/// `specs` with every instance of a tenant in `suspended` disabled.
std::vector<PluginSpec> withSuspendedTenantsStopped(std::vector<PluginSpec> specs,
                                                    const std::set<std::string>& suspended);

class TenantInstances {
 public:
  /// `suspendedTenants` reads the tenants' states (from the database); an empty set when unknown.
  TenantInstances(PluginManager& manager, std::function<std::set<std::string>()> suspendedTenants)
      : manager_(manager), suspendedTenants_(std::move(suspendedTenants)) {}

  /// Applies `specs` (the configuration in force from now on).
  ReloadReport apply(std::vector<PluginSpec> specs, std::chrono::milliseconds deadline);
  /// Applies the configuration in force again, after a tenant's state changed.
  ReloadReport refresh(std::chrono::milliseconds deadline);
  /// The configuration's instances of `tenant` (enabled there), by instance name.
  std::vector<std::string> instancesOf(const std::string& tenant) const;

 private:
  PluginManager& manager_;
  std::function<std::set<std::string>()> suspendedTenants_;
  mutable std::mutex mutex_;  // one apply at a time, so the specs applied last are those in force
  std::vector<PluginSpec> specs_;
};

}  // namespace switchboard::host
