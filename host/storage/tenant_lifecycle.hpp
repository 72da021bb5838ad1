#pragma once

// A tenant suspended, resumed or deleted the same way whoever asks (the admin API, sbctl through
// it, Kafka `control`): the database state changes first, then the running daemon follows through
// its TenantRuntime (the tenant's own plugin instances and its accounts on the shared connectors),
// and the change is announced on the event bus. One function per transition, so the paths cannot
// drift apart.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "storage/tenancy.hpp"
#include "storage/tenant_deletion.hpp"
#include "switchboard/sdk/context.hpp"

namespace switchboard::host {

/// What a tenant's state change did beyond the database.
struct TenantRuntimeChange {
  std::vector<std::string> accounts;   ///< accounts disconnected (suspend, delete) or connected again (resume)
  std::vector<std::string> instances;  ///< the tenant's own plugin instances stopped or started
  std::vector<std::string> loggedOut;  ///< delete: the accounts whose devices were unlinked
};

/// The running parts of a daemon a tenant's state reaches. Calls may block for seconds (they wait
/// on plugins' strands): never call them from a plugin's strand.
class TenantRuntime {
 public:
  virtual ~TenantRuntime() = default;
  /// Suspension: the tenant's own instances stop, its accounts on shared connectors disconnect
  /// (credentials kept). Other tenants' instances and accounts are not touched.
  virtual TenantRuntimeChange stop(const std::string& tenant) = 0;
  /// Resumption: the tenant's own instances start, its accounts connect again.
  virtual TenantRuntimeChange start(const std::string& tenant) = 0;
  /// Deletion, after the export and before the purge: the tenant's devices are logged out (while
  /// their credentials exist), then as stop().
  virtual TenantRuntimeChange unlink(const std::string& tenant) = 0;
};

struct TenantRequest {
  std::string tenant;
  std::string actor;   ///< who asked: a token name, "kafka:control"
  std::string reason;  ///< kept in the announcement
};

struct TenantRemoval {
  TenantDeletion deletion;
  TenantRuntimeChange runtime;
};

class TenantLifecycle {
 public:
  /// `events` may be null (no announcements).
  TenantLifecycle(std::shared_ptr<Store> store, std::shared_ptr<Tenancy> tenancy, sdk::EventBus* events);

  /// The daemon attaches its runtime once its plugins run, and detaches it (null) before they stop;
  /// without one, only the database changes.
  void setRuntime(TenantRuntime* runtime) { runtime_.store(runtime); }

  /// "tenant.not_found" for an unknown tenant, "tenant.protected" for the default tenant.
  sdk::Result<TenantRuntimeChange> suspend(const TenantRequest& request);
  sdk::Result<TenantRuntimeChange> resume(const TenantRequest& request);
  /// Export under `exportRoot`, devices unlinked, purge (see deleteTenant).
  sdk::Result<TenantRemoval> remove(const TenantRequest& request, const std::string& exportRoot);

  const std::shared_ptr<Tenancy>& tenancy() const { return tenancy_; }

 private:
  void announce(const std::string& type, const TenantRequest& request);

  std::shared_ptr<Store> store_;
  std::shared_ptr<Tenancy> tenancy_;
  sdk::EventBus* events_;
  std::atomic<TenantRuntime*> runtime_{nullptr};
};

}  // namespace switchboard::host
