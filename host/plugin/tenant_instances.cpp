#include "plugin/tenant_instances.hpp"

namespace switchboard::host {

std::vector<PluginSpec> withSuspendedTenantsStopped(std::vector<PluginSpec> specs,
                                                    const std::set<std::string>& suspended) {
  for (auto& spec : specs) {
    if (!spec.tenant.empty() && suspended.count(spec.tenant) != 0) {
      spec.enabled = false;
    }
  }
  return specs;
}

ReloadReport TenantInstances::apply(std::vector<PluginSpec> specs, std::chrono::milliseconds deadline) {
  std::lock_guard lock(mutex_);
  specs_ = std::move(specs);
  return manager_.apply(withSuspendedTenantsStopped(specs_, suspendedTenants_()), deadline);
}

ReloadReport TenantInstances::refresh(std::chrono::milliseconds deadline) {
  std::lock_guard lock(mutex_);
  return manager_.apply(withSuspendedTenantsStopped(specs_, suspendedTenants_()), deadline);
}

std::vector<std::string> TenantInstances::instancesOf(const std::string& tenant) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& spec : specs_) {
    if (spec.tenant == tenant && spec.enabled) {
      out.push_back(spec.name);
    }
  }
  return out;
}

}  // namespace switchboard::host
