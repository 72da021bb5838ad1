#include "storage/account_quota.hpp"

#include "common/clock.hpp"
#include "storage/command_gate.hpp"
#include "storage/tenancy.hpp"
#include "switchboard/sdk/quotas.hpp"

namespace switchboard::host {

sdk::Status admitAccount(const std::shared_ptr<Store>& store, const std::string& tenant, const std::string& account,
                         const std::set<std::string>& running, MetricsRegistry* metrics) {
  auto tenancy = Tenancy::of(store);
  if (!tenancy.ok()) {
    return sdk::okStatus();  // no tenancy, no quotas
  }
  auto quotas = tenancy.value()->quotas(tenant, nowMs());
  SB_TRY(quotas);
  auto limit = quotas->limits.find(sdk::quota::kAccounts);
  if (limit == quotas->limits.end()) {
    return sdk::okStatus();
  }
  std::set<std::string> accounts = running;
  auto stored = store->listAccounts(tenant);
  SB_TRY(stored);
  for (const auto& a : stored.value()) {
    accounts.insert(a.id);
  }
  if (accounts.count(account) != 0 || static_cast<std::int64_t>(accounts.size()) < limit->second) {
    return sdk::okStatus();
  }
  countQuotaExceeded(metrics, tenant, sdk::quota::kAccounts);
  return sdk::Error::permanent(sdk::quota::kExceededCode,
                               "tenant \"" + tenant + "\" has reached its accounts quota (" +
                                   std::to_string(limit->second) + "): account \"" + account + "\" not added");
}

}  // namespace switchboard::host
