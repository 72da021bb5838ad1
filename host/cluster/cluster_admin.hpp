#pragma once

// The admin API's view of scale-out (admin::ClusterService) over the ownership coordinator and the
// `account_owners` table.

#include "admin/cluster_service.hpp"
#include "cluster/ownership_coordinator.hpp"

namespace switchboard::host::cluster {

class CoordinatorClusterService final : public admin::ClusterService {
 public:
  CoordinatorClusterService(OwnershipCoordinator& coordinator, storage::Database& db)
      : coordinator_(coordinator), db_(db) {}

  sdk::Result<admin::ClusterState> state() override;
  sdk::Status submit(const std::string& action, const std::string& tenant, const std::string& account,
                     const std::string& name, const std::string& to) override;

 private:
  OwnershipCoordinator& coordinator_;
  storage::Database& db_;
};

}  // namespace switchboard::host::cluster
