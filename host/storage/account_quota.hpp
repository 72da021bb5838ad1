#pragma once

// The one check before an account is added to a tenant, whoever adds it: the admin API's
// POST /v1/accounts (sbctl accounts add goes through it), Kafka `control` add (the cluster's
// account runner), and a connector creating a session (through sdk::TenantStorage::consumeQuota
// with quota::kAccounts, which applies the same rule in storage). An account the tenant has
// already always passes (a reconnect adds nothing); a new one passes while the tenant has fewer
// accounts than its `accounts` quota.

#include <set>
#include <string>

#include "common/metrics.hpp"
#include "storage/store.hpp"

namespace switchboard::host {

/// Ok, or "quota_exceeded" with a message naming the tenant, the quota and its limit. `running`:
/// accounts the connectors run for the tenant that the database may not hold (yet). `metrics`
/// (may be null) counts a refusal in tenant_quota_exceeded_total{quota="accounts"}. On a store
/// without tenancy every account passes.
sdk::Status admitAccount(const std::shared_ptr<Store>& store, const std::string& tenant, const std::string& account,
                         const std::set<std::string>& running = {}, MetricsRegistry* metrics = nullptr);

}  // namespace switchboard::host
