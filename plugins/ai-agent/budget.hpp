#pragma once

// Token and cost budgets per account and UTC day, kept in the plugin's state store
// ("budget/<account>/<YYYY-MM-DD>" -> {"tokens":N,"cost":X}) so a restart, or another daemon on the
// same database, sees what was spent. Checked before every model call, charged after each.

#include <cstdint>
#include <string>

#include "agent_settings.hpp"
#include "switchboard/sdk/storage.hpp"

namespace switchboard::aiagent {

struct Spent {
  std::int64_t tokens = 0;
  double cost = 0;
};

class Budget {
 public:
  Budget(BudgetSettings settings, std::string stateNamespace)
      : settings_(settings), ns_(std::move(stateNamespace)) {}

  /// The UTC day of `nowMs`, "YYYY-MM-DD".
  static std::string dayOf(std::int64_t nowMs);
  /// The state key of an account's day.
  static std::string key(const std::string& account, std::int64_t nowMs);

  sdk::Result<Spent> spent(sdk::TenantStorage& storage, const std::string& account, std::int64_t nowMs) const;
  /// Is there budget left for another call? (A call in progress may overshoot by its own size.)
  sdk::Result<bool> allows(sdk::TenantStorage& storage, const std::string& account, std::int64_t nowMs) const;
  /// Adds a call's usage; returns the day's total.
  sdk::Result<Spent> charge(sdk::TenantStorage& storage, const std::string& account, std::int64_t nowMs,
                            std::int64_t promptTokens, std::int64_t completionTokens) const;
  double costOf(std::int64_t promptTokens, std::int64_t completionTokens) const;
  bool limited() const { return settings_.tokensPerDay > 0 || settings_.costPerDay > 0; }

 private:
  BudgetSettings settings_;
  std::string ns_;
};

}  // namespace switchboard::aiagent
