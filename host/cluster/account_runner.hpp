#pragma once

// What the ownership coordinator drives: the daemon's connectors, which run and release accounts
// (sdk::AccountPlacement) and add or remove them (sdk::SessionControl). An interface, so the
// coordinator's tests can count what it asked for without a connector.

#include <chrono>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"

namespace switchboard::host::cluster {

struct KnownAccount {
  std::string tenant;
  std::string account;
};

class AccountRunner {
 public:
  virtual ~AccountRunner() = default;
  /// Every account the deployment has (from the shared database), logged-out ones excepted.
  virtual sdk::Result<std::vector<KnownAccount>> accounts() = 0;
  /// Connects `account` here (adding it to the connector when new).
  virtual sdk::Status run(const KnownAccount& account) = 0;
  /// Disconnects `account` once its in-flight work is settled, keeping its credentials.
  virtual sdk::Status release(const KnownAccount& account, std::chrono::milliseconds deadline) = 0;
  /// Whether `account` may be added: its tenant's accounts quota (an error naming the quota when
  /// not). Asked before anything of the account is claimed or recorded.
  virtual sdk::Status admit(const KnownAccount& account) = 0;
  /// Adds `account` (display name `name`, admitted); it runs wherever its partition is held.
  virtual sdk::Status add(const KnownAccount& account, const std::string& name) = 0;
  /// Unlinks `account` and forgets its credentials.
  virtual sdk::Status remove(const KnownAccount& account) = 0;
};

}  // namespace switchboard::host::cluster
