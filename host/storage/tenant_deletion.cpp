#include "storage/tenant_deletion.hpp"

#include <ctime>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace switchboard::host {

namespace {

// The admin API keeps its tokens in the default tenant's key/value area (admin/token_store.hpp):
// a tenant's tokens are rows of the operator, not of the tenant, so its purge does not reach them.
constexpr const char* kTokenNamespace = "switchboard.admin.tokens";

std::string utcStamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

sdk::Result<std::vector<std::string>> revokeTokens(Store& store, const std::string& tenant) {
  auto operatorArea = store.tenant(sdk::kDefaultTenant);
  auto rows = operatorArea->scanState(kTokenNamespace, "", 1'000'000);
  SB_TRY(rows);
  std::vector<std::string> revoked;
  for (const auto& [hash, value] : rows.value()) {
    auto j = nlohmann::json::parse(value, nullptr, false);
    if (j.is_object() && j.value("tenant", std::string()) == tenant) {
      SB_TRY(operatorArea->deleteState(kTokenNamespace, hash));
      revoked.push_back(j.value("name", std::string()));
    }
  }
  return revoked;
}

}  // namespace

sdk::Result<TenantDeletion> deleteTenant(Store& store, Tenancy& tenancy, const std::string& id,
                                         const std::string& exportRoot, const std::function<void()>& beforePurge) {
  if (id == sdk::kDefaultTenant) {
    return sdk::Error::permanent("tenant.protected", "the default tenant cannot be deleted");
  }
  SB_TRY(tenancy.setState(id, kTenantSuspended));
  TenantDeletion out;
  const auto dir = (std::filesystem::path(exportRoot) / (id + "-" + utcStamp())).string();
  auto exported = tenancy.exportTenant(id, dir);
  SB_TRY(exported);
  out.exported = std::move(exported).value();
  if (beforePurge) {
    beforePurge();
  }
  auto purged = tenancy.purge(id);
  SB_TRY(purged);
  out.purged = std::move(purged).value();
  auto revoked = revokeTokens(store, id);
  SB_TRY(revoked);
  out.tokensRevoked = std::move(revoked).value();
  return out;
}

}  // namespace switchboard::host
