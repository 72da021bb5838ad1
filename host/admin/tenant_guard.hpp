#pragma once

// The tenancy checks on every API request made with a token scoped to one tenant: a suspended
// tenant's tokens get 403 tenant_suspended, and a tenant past its api_requests_per_second quota
// gets 429 quota_exceeded. Operator-wide tokens are not held back by a tenant's state or quota
// (they are how an operator resumes a tenant or lifts its quota). A tenant's state and quota are
// read from the database at most once a second, so a change made by another daemon (or on
// Kafka `control`) applies within a second; changes made here apply at once (forget()).

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/metrics.hpp"
#include "http/message.hpp"
#include "storage/command_gate.hpp"
#include "storage/tenancy.hpp"

namespace switchboard::admin {

class TenantGuard {
 public:
  using Clock = std::chrono::steady_clock;

  /// `metrics` may be null. Without the SQL store there is no tenancy and everything passes.
  TenantGuard(std::shared_ptr<host::Store> store, host::MetricsRegistry* metrics);

  /// The refusal for a request acting in `tenant` with a token scoped to it, or nullopt.
  std::optional<http::Response> admit(const std::string& tenant, Clock::time_point now = Clock::now());
  /// Drops what is known of the tenant (after a change to its state or quotas).
  void forget(const std::string& tenant);
  /// A command the API is about to submit, whoever's token: another tenant's account is a 404.
  std::optional<http::Response> checkCommand(const sdk::OutboundCommand& command);
  /// The pipeline's refusal of a submitted command as this API's answer: a suspended tenant 403
  /// tenant_suspended, a message over messages_per_day 429 quota_exceeded; otherwise nothing.
  std::optional<http::Response> refusedCommand(const sdk::CommandResult& result);

  /// null without the SQL store.
  const std::shared_ptr<host::Tenancy>& tenancy() const { return tenancy_; }

 private:
  struct Entry {
    bool suspended = false;
    double perSecond = 0;  // 0: no limit
    Clock::time_point loaded;
    double tokens = 0;
    Clock::time_point refilled;
  };

  std::shared_ptr<host::Tenancy> tenancy_;
  host::MetricsRegistry* metrics_;
  host::TenantCommandGate commands_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

class ApiCore;
/// Before a new account is created for `tenant`: 403 quota_exceeded when the tenant has its
/// `accounts` quota already (counting its stored accounts and its connectors' sessions).
std::optional<http::Response> checkAccountQuota(ApiCore& core, const std::string& tenant, const std::string& account);

}  // namespace switchboard::admin
