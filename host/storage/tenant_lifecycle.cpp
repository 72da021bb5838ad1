#include "storage/tenant_lifecycle.hpp"

#include "common/clock.hpp"

namespace switchboard::host {

TenantLifecycle::TenantLifecycle(std::shared_ptr<Store> store, std::shared_ptr<Tenancy> tenancy,
                                 sdk::EventBus* events)
    : store_(std::move(store)), tenancy_(std::move(tenancy)), events_(events) {}

void TenantLifecycle::announce(const std::string& type, const TenantRequest& request) {
  if (events_ == nullptr) {
    return;
  }
  sdk::Event e;
  e.type = type;
  e.tenant = request.tenant;
  e.subject = request.tenant;
  e.attributes = {{"by", request.actor}, {"reason", request.reason}};
  e.timestamp = nowMs();
  events_->publish(e);
}

sdk::Result<TenantRuntimeChange> TenantLifecycle::suspend(const TenantRequest& request) {
  if (request.tenant == sdk::kDefaultTenant) {
    return sdk::Error::permanent("tenant.protected", "the default tenant cannot be suspended");
  }
  // The state first: from here on the tenant's commands and tokens are refused, so nothing new
  // starts for it while its instances and accounts wind down.
  SB_TRY(tenancy_->setState(request.tenant, kTenantSuspended));
  announce("tenant.suspended", request);
  auto* runtime = runtime_.load();
  return runtime != nullptr ? runtime->stop(request.tenant) : TenantRuntimeChange{};
}

sdk::Result<TenantRuntimeChange> TenantLifecycle::resume(const TenantRequest& request) {
  SB_TRY(tenancy_->setState(request.tenant, kTenantActive));
  announce("tenant.resumed", request);
  auto* runtime = runtime_.load();
  return runtime != nullptr ? runtime->start(request.tenant) : TenantRuntimeChange{};
}

sdk::Result<TenantRemoval> TenantLifecycle::remove(const TenantRequest& request, const std::string& exportRoot) {
  TenantRemoval out;
  auto* runtime = runtime_.load();
  auto deleted = deleteTenant(*store_, *tenancy_, request.tenant, exportRoot, [&] {
    if (runtime != nullptr) {
      out.runtime = runtime->unlink(request.tenant);
    }
  });
  SB_TRY(deleted);
  out.deletion = std::move(deleted).value();
  announce("tenant.deleted", request);
  return out;
}

}  // namespace switchboard::host
