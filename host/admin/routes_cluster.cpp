// Scale-out: GET /v1/cluster (this daemon, its partitions and accounts, and the recorded owner of
// every account) and POST /v1/cluster/accounts/{account}/{action} (add, remove, pause, resume or
// move, carried out by the daemon that owns the account).

#include "admin/api_routes.hpp"
#include "admin/cluster_service.hpp"
#include "admin/json_codec.hpp"

namespace switchboard::admin {
namespace {

http::Response notClustered() {
  return errorResponse(sdk::Error::permanent("cluster.not_found", "this daemon does not share accounts (cluster.enabled is off)"));
}

http::Response clusterState(Call& call) {
  auto* cluster = call.services().cluster;
  if (cluster == nullptr) {
    return notClustered();
  }
  auto st = cluster->state();
  if (!st.ok()) {
    return errorResponse(st.error());
  }
  json owners = json::array();
  for (const auto& o : st->owners) {
    owners.push_back({{"account", o.account},
                      {"owner", o.owner},
                      {"state", o.state},
                      {"generation", o.generation},
                      {"partition", o.partition},
                      {"updated_at", o.updatedAt}});
  }
  return http::Response::json(200, {{"instance", st->instance},
                                    {"partition_count", st->partitionCount},
                                    {"partitions", st->partitions},
                                    {"accounts", st->accounts},
                                    {"fenced_writes", st->fencedWrites},
                                    {"owners", owners}});
}

http::Response accountAction(Call& call) {
  auto* cluster = call.services().cluster;
  if (cluster == nullptr) {
    return notClustered();
  }
  const auto& account = call.request.param("account");
  const auto& action = call.request.param("action");
  std::string name;
  std::string to;
  if (!call.request.body.empty()) {
    auto body = call.body();
    if (!body.ok()) {
      return errorResponse(body.error());
    }
    if (body->contains("name") && (*body)["name"].is_string()) {
      name = (*body)["name"].get<std::string>();
    }
    if (body->contains("to") && (*body)["to"].is_string()) {
      to = (*body)["to"].get<std::string>();
    }
  }
  call.subject = account;
  call.detail = action;
  if (auto s = cluster->submit(action, call.tenant, account, name, to); !s.ok()) {
    return errorResponse(s.error());
  }
  return http::Response::json(202, {{"account", account}, {"action", action}, {"queued", true}});
}

}  // namespace

void addClusterRoutes(ApiRoutes& routes) {
  routes.add("GET", "/v1/cluster", Access::Read, "", clusterState);
  routes.add("POST", "/v1/cluster/accounts/{account}/{action}", Access::Administer, "cluster.account", accountAction);
}

}  // namespace switchboard::admin
