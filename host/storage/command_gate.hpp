#pragma once

// What tenancy decides about an outbound command before it runs, wherever it came from (Kafka
// `outbound`, the admin API): a command naming one tenant for another tenant's account is not
// that tenant's to give (a dead letter: the producer has a bug to fix); a suspended tenant's
// commands, and messages past its daily quota, are refused with a failed result the producer
// can act on. Each refusal for a quota also counts in tenant_quota_exceeded_total.

#include <memory>
#include <optional>

#include "common/metrics.hpp"
#include "storage/store.hpp"
#include "storage/tenancy.hpp"

namespace switchboard::host {

struct CommandVerdict {
  enum class Kind { Pass, DeadLetter, Refuse };
  Kind kind = Kind::Pass;
  std::optional<sdk::Error> error;  // DeadLetter, Refuse: what and why (code: command.tenant_mismatch,
                                    // tenant_suspended, quota_exceeded)
};

class TenantCommandGate {
 public:
  /// `metrics` may be null. On a store without tenancy (not SQL) every command passes.
  TenantCommandGate(std::shared_ptr<Store> store, MetricsRegistry* metrics);

  /// Before the command is stored: is its account another tenant's?
  CommandVerdict checkOwner(const sdk::OutboundCommand& c);
  /// Is the command's tenant suspended? (Its accounts are disconnected then, so this goes before
  /// the account is looked up.) Database errors as for admit().
  CommandVerdict checkActive(const sdk::OutboundCommand& c);
  /// Once, when the command is first stored: is the tenant suspended, or the message over the
  /// tenant's messages_per_day quota (taking one unit when not)? Database errors come back as
  /// a Retriable error in `error` with Kind::Refuse.
  CommandVerdict admit(const sdk::OutboundCommand& c, std::int64_t nowMs);
  /// admit() without the suspension check, for a caller that ran checkActive() already.
  CommandVerdict takeMessageQuota(const sdk::OutboundCommand& c, std::int64_t nowMs);

 private:
  std::shared_ptr<Store> store_;
  std::shared_ptr<Tenancy> tenancy_;
  MetricsRegistry* metrics_;
};

/// Does the command send a message (counted against messages_per_day)?
bool sendsMessage(sdk::CommandKind kind);

/// Counts a quota refusal: tenant_quota_exceeded_total{tenant, quota}.
void countQuotaExceeded(MetricsRegistry* metrics, const std::string& tenant, const std::string& kind);

}  // namespace switchboard::host
