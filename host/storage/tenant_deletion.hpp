#pragma once

// A tenant's deletion, the same from the admin API and from Kafka `control`: suspended first (so
// nothing new lands while it runs), exported under `exportRoot/<tenant>-<UTC time>`, then purged,
// and its API tokens revoked. `beforePurge` runs between the export and the purge (the admin API
// logs the tenant's WhatsApp devices out there, while their credentials still exist).

#include <functional>
#include <string>
#include <vector>

#include "storage/tenancy.hpp"

namespace switchboard::host {

struct TenantDeletion {
  TenantExportReport exported;
  TenantPurgeReport purged;
  std::vector<std::string> tokensRevoked;
};

sdk::Result<TenantDeletion> deleteTenant(Store& store, Tenancy& tenancy, const std::string& id,
                                         const std::string& exportRoot,
                                         const std::function<void()>& beforePurge = nullptr);

}  // namespace switchboard::host
