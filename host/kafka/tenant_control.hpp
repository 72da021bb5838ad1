#pragma once

// Tenant administration on the `control` topic, beside the scale-out commands that share it
// (host/cluster/control_command.hpp: those have actions without a "tenant." prefix and are left to
// it). A record is JSON, keyed by the tenant id:
//   {"action": "tenant.create", "tenant": "acme", "name": "Acme Ltd", "quotas": {"messages_per_day": 1000}}
//   {"action": "tenant.suspend", "tenant": "acme", "reason": "unpaid", "request_id": "req-17"}
//   {"action": "tenant.resume", "tenant": "acme"}
//   {"action": "tenant.quotas", "tenant": "acme", "quotas": {"accounts": 10, "api_requests_per_second": null}}
//   {"action": "tenant.delete", "tenant": "acme"}
// Records come from the network: the parser is bounded and every problem is an error value.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "switchboard/sdk/result.hpp"

namespace switchboard::host {

enum class TenantControlAction { Create, Suspend, Resume, Quotas, Delete };

struct TenantControl {
  TenantControlAction action = TenantControlAction::Create;
  std::string tenant;
  std::string name;        // create
  std::string reason;      // suspend, resume: kept in the audit entry
  std::string requestId;   // the key of the result on `results` (default: derived from the record)
  std::map<std::string, std::optional<std::int64_t>> quotas;  // create, quotas: null lifts a limit
};

/// Largest record accepted.
constexpr std::size_t kMaxTenantControlRecord = 16 * 1024;

const char* toString(TenantControlAction action);
/// nullopt: a record for another component (its action has no "tenant." prefix).
sdk::Result<std::optional<TenantControl>> parseTenantControl(std::string_view json);
std::string encodeTenantControl(const TenantControl& control);

}  // namespace switchboard::host
