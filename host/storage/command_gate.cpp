#include "storage/command_gate.hpp"

#include "switchboard/sdk/quotas.hpp"

namespace switchboard::host {

bool sendsMessage(sdk::CommandKind kind) {
  return kind == sdk::CommandKind::SendText || kind == sdk::CommandKind::SendMedia ||
         kind == sdk::CommandKind::SendTemplate || kind == sdk::CommandKind::SendReaction ||
         kind == sdk::CommandKind::EditMessage || kind == sdk::CommandKind::DeleteMessage;
}

void countQuotaExceeded(MetricsRegistry* metrics, const std::string& tenant, const std::string& kind) {
  if (metrics != nullptr) {
    metrics->counter("tenant_quota_exceeded_total", "Requests and commands refused for being over a tenant's quota",
                     {{"tenant", tenant}, {"quota", kind}})
        .inc();
  }
}

TenantCommandGate::TenantCommandGate(std::shared_ptr<Store> store, MetricsRegistry* metrics)
    : store_(std::move(store)), metrics_(metrics) {
  if (store_) {
    auto t = Tenancy::of(store_);
    if (t.ok()) {
      tenancy_ = t.value();
    }
  }
}

CommandVerdict TenantCommandGate::checkOwner(const sdk::OutboundCommand& c) {
  if (!store_ || c.account.empty()) {
    return {};
  }
  auto account = store_->getAccount(c.account);
  if (!account.ok()) {
    return {CommandVerdict::Kind::Refuse, account.error()};
  }
  if (account.value() && account.value()->tenant != c.tenant) {
    return {CommandVerdict::Kind::DeadLetter,
            sdk::Error::permanent("command.tenant_mismatch", "account \"" + c.account + "\" belongs to tenant \"" +
                                                                 account.value()->tenant + "\", not to tenant \"" +
                                                                 c.tenant + "\" that the command names")};
  }
  return {};
}

CommandVerdict TenantCommandGate::checkActive(const sdk::OutboundCommand& c) {
  if (!tenancy_) {
    return {};
  }
  auto tenant = tenancy_->get(c.tenant);
  if (!tenant.ok()) {
    return {CommandVerdict::Kind::Refuse, tenant.error()};
  }
  if (tenant.value() && tenant.value()->state == kTenantSuspended) {
    return {CommandVerdict::Kind::Refuse,
            sdk::Error::permanent("tenant_suspended", "tenant \"" + c.tenant + "\" is suspended: commands are refused")};
  }
  return {};
}

CommandVerdict TenantCommandGate::admit(const sdk::OutboundCommand& c, std::int64_t nowMs) {
  if (auto active = checkActive(c); active.kind != CommandVerdict::Kind::Pass) {
    return active;
  }
  return takeMessageQuota(c, nowMs);
}

CommandVerdict TenantCommandGate::takeMessageQuota(const sdk::OutboundCommand& c, std::int64_t nowMs) {
  if (!tenancy_) {
    return {};
  }
  if (sendsMessage(c.kind)) {
    auto taken = tenancy_->consume(c.tenant, sdk::quota::kMessagesPerDay, 1, nowMs);
    if (!taken.ok()) {
      return {CommandVerdict::Kind::Refuse, taken.error()};
    }
    if (!taken.value()) {
      countQuotaExceeded(metrics_, c.tenant, sdk::quota::kMessagesPerDay);
      return {CommandVerdict::Kind::Refuse,
              sdk::Error::permanent(sdk::quota::kExceededCode,
                                    "tenant \"" + c.tenant + "\" has sent its messages_per_day quota for today")};
    }
  }
  return {};
}

}  // namespace switchboard::host
