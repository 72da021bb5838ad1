#pragma once

// Fencing of account writes when several daemons share one PostgreSQL (scale-out, host/cluster).
// The Kafka consumer group decides which daemon owns an account; the `account_owners` table only
// records the generation the current owner took over with. Every write transaction that touches
// an account already takes the account's advisory lock (account_lock.cpp); with a fence installed
// it then compares the generation this daemon holds with the recorded one and refuses the write
// when they differ: a daemon that lost the account (paused, cut off) cannot overwrite the Signal
// store of the daemon that took it over. Taking an account over takes the same advisory lock, so
// a claim and a write never interleave.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/database.hpp"

namespace switchboard::host::storage {

/// Thrown inside a write transaction that this daemon may no longer make; the transaction rolls
/// back and the caller sees the error "storage.fenced".
class FencedWrite : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What `account_owners` says of one account.
struct AccountOwnerRow {
  std::string account;
  long long generation = 0;
  std::string owner;
  std::string state;  // "active" or "paused"
  long long updatedAt = 0;
};

class AccountFence {
 public:
  /// `owner` names this daemon in `account_owners` (daemon.instance_id).
  explicit AccountFence(std::string owner) : owner_(std::move(owner)) {}

  const std::string& owner() const { return owner_; }

  /// Called for every refused write (account, generation held here or 0, generation recorded).
  void onRefusal(std::function<void(const std::string&, long long, long long)> callback);

  /// Takes `account` over: under its advisory lock, bumps its generation (creating its row at 1),
  /// records this daemon as owner and keeps the new generation here. Returns the generation.
  sdk::Result<long long> claim(Database& db, const std::string& account);
  /// Forgets the generation held for `account` (its writes are refused from now on).
  void drop(const std::string& account);
  /// Generation held for `account`, if this daemon holds it.
  std::optional<long long> held(const std::string& account) const;
  /// How many writes were refused so far.
  std::uint64_t refusals() const { return refusals_.load(); }

  /// Inside a write transaction, after the advisory locks: throws FencedWrite when this daemon
  /// does not hold `account` at the generation recorded for it.
  void check(Connection& c, const std::set<std::string>& accounts);

  /// Marks `account` paused or active (operators' pause and resume); the row is created if missing.
  static sdk::Status setState(Database& db, const std::string& account, const std::string& state);
  /// Forgets the account's row (the account was removed).
  static sdk::Status forget(Database& db, const std::string& account);
  /// Every row, by account.
  static sdk::Result<std::vector<AccountOwnerRow>> list(Database& db);

 private:
  std::string owner_;
  mutable std::mutex mutex_;
  std::map<std::string, long long> held_;
  std::function<void(const std::string&, long long, long long)> onRefusal_;
  std::atomic<std::uint64_t> refusals_{0};
};

}  // namespace switchboard::host::storage
