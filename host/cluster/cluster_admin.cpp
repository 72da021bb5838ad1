#include "cluster/cluster_admin.hpp"

#include <nlohmann/json.hpp>

namespace switchboard::host::cluster {

sdk::Result<admin::ClusterState> CoordinatorClusterService::state() {
  const auto view = coordinator_.view();
  admin::ClusterState st;
  st.instance = view.instance;
  st.partitionCount = view.partitionCount;
  st.partitions = view.partitions;
  st.fencedWrites = view.fencedWrites;
  for (const auto& [account, generation] : view.accounts) {
    st.accounts.push_back(account);
  }
  auto rows = storage::AccountFence::list(db_);
  SB_TRY(rows);
  for (const auto& r : rows.value()) {
    st.owners.push_back({r.account, r.owner, r.state, r.generation, r.updatedAt,
                         coordinator_.partitionOfAccount(r.account)});
  }
  return st;
}

sdk::Status CoordinatorClusterService::submit(const std::string& action, const std::string& tenant,
                                              const std::string& account, const std::string& name,
                                              const std::string& to) {
  // Through the record's own parser: the API accepts exactly what the owner will.
  nlohmann::json doc = {{"action", action}, {"account", account}, {"tenant", tenant}};
  if (!name.empty()) {
    doc["name"] = name;
  }
  if (!to.empty()) {
    doc["to"] = to;
  }
  auto command = parseControlCommand(doc.dump());
  if (!command.ok()) {
    return sdk::Error::permanent("invalid", command.error().message);
  }
  return coordinator_.submit(command.value());
}

}  // namespace switchboard::host::cluster
