#pragma once

// The plugin's admin route, POST /v1/hooks/<instance>/admin (served on the admin API's listener;
// the plugin checks its own bearer token, admin_token). One JSON body per operation:
//   {"op":"list"}                                      agents with their switches
//   {"op":"put_agent","agent":{...}}                   add or replace an agent (the YAML shape)
//   {"op":"delete_agent","name":"sales"}               forget a stored agent
//   {"op":"enable_agent"|"disable_agent","name":"sales"}
//   {"op":"enable_conversation"|"disable_conversation","conversation":"<id>"}
//   {"op":"usage","account":"15551234567"}             today's tokens and cost
// Every body may name a "tenant" (default "default").

#include <memory>
#include <string>

#include "agent_directory.hpp"
#include "budget.hpp"
#include "switchboard/sdk/context.hpp"
#include "switchboard/sdk/http_routes.hpp"

namespace switchboard::aiagent {

sdk::HttpRouteResponse handleAdmin(sdk::PluginContext& ctx, const AgentDirectory& directory, const Budget& budget,
                                   const std::string& token, const sdk::HttpRouteRequest& request, std::int64_t nowMs);

}  // namespace switchboard::aiagent
