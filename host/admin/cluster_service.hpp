#pragma once

// What the admin API shows and does of scale-out (host/cluster): which daemon runs which account,
// and operators' control commands (add, remove, pause, resume) sent on `control` to the daemon that
// owns the account. An interface so the API does not depend on Kafka; the daemon provides it when
// `cluster.enabled` is set.

#include <cstdint>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"

namespace switchboard::admin {

struct ClusterAccountOwner {
  std::string account;
  std::string owner;   ///< instance id of the daemon that last took it over
  std::string state;   ///< active or paused
  long long generation = 0;
  long long updatedAt = 0;
  int partition = -1;  ///< of the control topic
};

struct ClusterState {
  std::string instance;                 ///< this daemon
  int partitionCount = 0;
  std::vector<int> partitions;          ///< held by this daemon
  std::vector<std::string> accounts;    ///< run by this daemon
  std::vector<ClusterAccountOwner> owners;
  std::uint64_t fencedWrites = 0;
};

class ClusterService {
 public:
  virtual ~ClusterService() = default;
  virtual sdk::Result<ClusterState> state() = 0;
  /// Sends a control command; `action` is add, remove, pause, resume or move.
  virtual sdk::Status submit(const std::string& action, const std::string& tenant, const std::string& account,
                             const std::string& name, const std::string& to) = 0;
};

}  // namespace switchboard::admin
