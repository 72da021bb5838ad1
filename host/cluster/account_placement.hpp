#pragma once

// Operators' `move` of an account to a chosen daemon, without an election: the account is pinned
// to a partition of `control` that the target holds (`cluster_placements`, migration 7), and the
// group, which alone decides who holds that partition, thereby decides who runs the account. To
// find such a partition, each daemon records what it was assigned (`cluster_members`).

#include <map>
#include <set>
#include <string>

#include "storage/database.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::host::cluster {

/// Account -> partition, for the accounts moved away from their hash's partition.
using Placements = std::map<std::string, int>;

sdk::Result<Placements> loadPlacements(storage::Database& db);
/// Pins `account` to `partition` (chosen because `target` held it).
sdk::Status setPlacement(storage::Database& db, const std::string& account, int partition,
                         const std::string& target);
/// The account goes back to its hash's partition (it was removed).
sdk::Status forgetPlacement(storage::Database& db, const std::string& account);

/// Records the partitions `instance` was assigned (empty: none).
sdk::Status recordMember(storage::Database& db, const std::string& instance, const std::set<int>& partitions);
/// The partitions `instance` last recorded.
sdk::Result<std::set<int>> memberPartitions(storage::Database& db, const std::string& instance);

}  // namespace switchboard::host::cluster
