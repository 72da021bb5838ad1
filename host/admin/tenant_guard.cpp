#include "admin/tenant_guard.hpp"

#include <algorithm>
#include <cmath>

#include "common/clock.hpp"
#include "storage/command_gate.hpp"
#include "switchboard/sdk/quotas.hpp"

namespace switchboard::admin {

namespace {

constexpr auto kFreshFor = std::chrono::seconds(1);
// Enough distinct tenants to hold a large deployment's active ones; beyond it the map starts over.
constexpr std::size_t kMaxEntries = 100'000;

}  // namespace

TenantGuard::TenantGuard(std::shared_ptr<host::Store> store, host::MetricsRegistry* metrics)
    : metrics_(metrics), commands_(store, metrics) {
  if (store) {
    auto t = host::Tenancy::of(std::move(store));
    if (t.ok()) {
      tenancy_ = t.value();
    }
  }
}

std::optional<http::Response> TenantGuard::checkCommand(const sdk::OutboundCommand& command) {
  auto owner = commands_.checkOwner(command);
  if (owner.kind == host::CommandVerdict::Kind::DeadLetter) {
    // Another tenant's account does not exist for this one.
    return http::Response::error(404, "not_found", "no account \"" + command.account + "\"");
  }
  if (owner.kind == host::CommandVerdict::Kind::Pass) {
    // Suspension and the daily quota are the pipeline's to check when the command is stored (once,
    // for every source); refusedCommand() turns its failed result into this API's answer.
    return std::nullopt;
  }
  const auto& e = *owner.error;
  return http::Response::error(e.isRetriable() ? 503 : 400, e.code, e.message);
}

std::optional<http::Response> TenantGuard::refusedCommand(const sdk::CommandResult& result) {
  if (result.stage != sdk::ResultStage::Failed) {
    return std::nullopt;
  }
  if (result.errorCode == "tenant_suspended") {
    return http::Response::error(403, result.errorCode, result.reason);
  }
  if (result.errorCode == sdk::quota::kExceededCode) {
    return http::Response::error(429, result.errorCode, result.reason);
  }
  return std::nullopt;
}

void TenantGuard::forget(const std::string& tenant) {
  std::lock_guard lock(mutex_);
  entries_.erase(tenant);
}

std::optional<http::Response> TenantGuard::admit(const std::string& tenant, Clock::time_point now) {
  if (!tenancy_) {
    return std::nullopt;
  }
  std::unique_lock lock(mutex_);
  auto it = entries_.find(tenant);
  if (it == entries_.end() || now - it->second.loaded >= kFreshFor) {
    // Read without the lock: a slow database must not stall other tenants' requests.
    lock.unlock();
    auto unavailable = [&tenant](const sdk::Error& e) {
      return http::Response::error(503, "unavailable", "tenant \"" + tenant + "\" cannot be checked now: " + e.message);
    };
    auto info = tenancy_->get(tenant);
    if (!info.ok()) {
      return unavailable(info.error());
    }
    auto quotas = tenancy_->quotas(tenant, host::nowMs());
    if (!quotas.ok()) {
      return unavailable(quotas.error());
    }
    lock.lock();
    if (entries_.size() >= kMaxEntries) {
      entries_.clear();
    }
    auto& entry = entries_[tenant];
    const bool fresh = entry.loaded == Clock::time_point{};
    entry.suspended = info.value() && info.value()->state == host::kTenantSuspended;
    auto limit = quotas->limits.find(sdk::quota::kApiRequestsPerSecond);
    entry.perSecond = limit == quotas->limits.end() ? 0 : static_cast<double>(limit->second);
    entry.loaded = now;
    if (fresh) {
      entry.tokens = std::max(1.0, entry.perSecond);
      entry.refilled = now;
    }
    it = entries_.find(tenant);
  }
  Entry& e = it->second;
  if (e.suspended) {
    return http::Response::error(403, "tenant_suspended", "tenant \"" + tenant + "\" is suspended");
  }
  if (e.perSecond <= 0) {
    return std::nullopt;
  }
  // A bucket holding one second of requests, refilled continuously.
  const double burst = std::max(1.0, e.perSecond);
  const double elapsed = std::chrono::duration<double>(now - e.refilled).count();
  e.tokens = std::min(burst, e.tokens + elapsed * e.perSecond);
  e.refilled = now;
  if (e.tokens >= 1.0) {
    e.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait = (1.0 - e.tokens) / e.perSecond;
  lock.unlock();
  host::countQuotaExceeded(metrics_, tenant, sdk::quota::kApiRequestsPerSecond);
  auto r = http::Response::error(429, sdk::quota::kExceededCode,
                                 "tenant \"" + tenant + "\" is over its api_requests_per_second quota");
  r.headers["Retry-After"] = std::to_string(static_cast<long>(std::max(1.0, std::ceil(wait))));
  return r;
}

}  // namespace switchboard::admin
