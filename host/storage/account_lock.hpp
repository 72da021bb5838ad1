#pragma once

// PostgreSQL: writers of one account take a transaction-scoped advisory lock on it first, in a
// fixed order, so two transactions that touch the same Signal sessions and conversations queue
// up instead of deadlocking (SQLite's BEGIN IMMEDIATE already serialises all writers).

#include <chrono>
#include <set>
#include <string>

#include "storage/database.hpp"

namespace switchboard::host::storage {

/// Locks every account in `accounts` (sorted, so all writers lock in one order) until the end of
/// the current transaction. Does nothing on SQLite.
/// How long a write transaction holding account locks may sit idle (its daemon stopped) before
/// PostgreSQL ends it. Only with an account fence (scale-out).
inline constexpr std::chrono::milliseconds kStalledWriterTimeout{5000};

/// With an account fence on the connection (scale-out), then checks that this daemon still owns
/// each account and throws storage::FencedWrite when it does not (see account_fence.hpp).
void lockAccounts(Connection& c, const std::set<std::string>& accounts);

/// The locks alone, without the ownership check (taking an account over, pausing it).
void lockAccountsUnfenced(Connection& c, const std::set<std::string>& accounts);

}  // namespace switchboard::host::storage
