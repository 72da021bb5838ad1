#include "admin/tenant_runtime.hpp"

#include <algorithm>

#include "admin/session_calls.hpp"
#include "common/logging.hpp"

namespace switchboard::admin {

std::vector<std::pair<std::string, sdk::SessionStatus>> DaemonTenantRuntime::sessionsOf(const std::string& tenant) {
  std::vector<std::pair<std::string, sdk::SessionStatus>> out;
  if (plugins_ == nullptr) {
    return out;
  }
  for (const auto& instance : plugins_->sessionControllers()) {
    auto listed = callSession<std::vector<sdk::SessionStatus>>(
        *plugins_, instance, [tenant](sdk::SessionControl& c) { return c.listSessions(tenant); }, deadline_);
    if (!listed) {
      continue;
    }
    for (auto& session : listed.value()) {
      if (session.tenant == tenant) {  // a connector answering for another tenant is not trusted blindly
        out.emplace_back(instance, std::move(session));
      }
    }
  }
  return out;
}

DaemonTenantRuntime::DaemonTenantRuntime(PluginDirectory* plugins, std::shared_ptr<host::Store> store,
                                         host::TenantInstances* instances, std::chrono::milliseconds deadline)
    : plugins_(plugins), store_(std::move(store)), instances_(instances), deadline_(deadline) {}

std::set<std::string> DaemonTenantRuntime::accountsOf(const std::string& tenant) {
  std::set<std::string> out;
  if (auto stored = store_->listAccounts(tenant)) {
    for (const auto& a : stored.value()) {
      out.insert(a.id);
    }
  }
  for (const auto& [instance, session] : sessionsOf(tenant)) {
    out.insert(session.account);
  }
  return out;
}

std::vector<std::string> DaemonTenantRuntime::placeAccounts(const std::string& tenant, bool release) {
  std::vector<std::string> done;
  if (plugins_ == nullptr) {
    return done;
  }
  for (const auto& account : accountsOf(tenant)) {
    auto placed = plugins_->withAccountPlacement(
        [&tenant, account, release](sdk::AccountPlacement& p) {
          return release ? p.releaseAccount(tenant, account, std::chrono::seconds(5)) : p.runAccount(tenant, account);
        },
        deadline_);
    if (placed && placed.value() > 0) {
      done.push_back(account);
    } else if (!placed) {
      host::componentLogger("admin")->warn("tenant account not {}. tenant={} account={} error=\"{}\"",
                                     release ? "released" : "run", tenant, account, placed.error().describe());
    }
  }
  return done;
}

std::vector<std::string> DaemonTenantRuntime::applyInstances(const std::string& tenant, bool started) {
  std::vector<std::string> changed;
  if (instances_ == nullptr) {
    return changed;
  }
  const auto report = instances_->refresh(deadline_);
  const auto& names = started ? report.started : report.stopped;
  const std::string prefix = tenant + ".";
  for (const auto& name : names) {
    if (name.rfind(prefix, 0) == 0) {  // "<tenant>.<entry>": config/config_file.hpp
      changed.push_back(name);
    }
  }
  for (const auto& name : report.failed) {
    host::componentLogger("admin")->error("tenant plugin instance failed to start. tenant={} instance={}", tenant, name);
  }
  return changed;
}

host::TenantRuntimeChange DaemonTenantRuntime::stop(const std::string& tenant) {
  host::TenantRuntimeChange out;
  // Its own instances first (a tenant's own connector takes its accounts down with it), then the
  // accounts it has on the shared connectors.
  out.instances = applyInstances(tenant, false);
  out.accounts = placeAccounts(tenant, true);
  return out;
}

host::TenantRuntimeChange DaemonTenantRuntime::start(const std::string& tenant) {
  host::TenantRuntimeChange out;
  out.instances = applyInstances(tenant, true);
  out.accounts = placeAccounts(tenant, false);
  return out;
}

host::TenantRuntimeChange DaemonTenantRuntime::unlink(const std::string& tenant) {
  host::TenantRuntimeChange out;
  for (const auto& [instance, session] : sessionsOf(tenant)) {
    auto done = callSession<bool>(
        *plugins_, instance,
        [tenant, account = session.account](sdk::SessionControl& c) -> sdk::Result<bool> {
          SB_TRY(c.logout(tenant, account));
          return true;
        },
        deadline_);
    if (done) {
      out.loggedOut.push_back(session.account);
    }
  }
  auto stopped = stop(tenant);
  out.instances = std::move(stopped.instances);
  out.accounts = std::move(stopped.accounts);
  return out;
}

}  // namespace switchboard::admin
