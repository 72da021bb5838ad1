// Agents: list, create, read, update, delete, and status changes (a command, so it reaches Kafka
// and the routers like one from `outbound`).

#include "admin/admin_queries.hpp"
#include "admin/api_routes.hpp"
#include "admin/command_waiter.hpp"
#include "admin/json_codec.hpp"
#include "admin/json_fields.hpp"

namespace switchboard::admin {
namespace {

bool validId(const std::string& id) {
  if (id.empty() || id.size() > 128) {
    return false;
  }
  for (char c : id) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '/') {
      return false;
    }
  }
  return true;
}

http::Response list(Call& call) {
  auto agents = call.storage()->listAgents();
  if (!agents) {
    return errorResponse(agents.error());
  }
  auto status = call.request.queryValue("status");
  json items = json::array();
  for (const auto& a : agents.value()) {
    if (!status || *status == sdk::toString(a.status)) {
      items.push_back(toJson(a));
    }
  }
  return http::Response::json(200, {{"items", items}});
}

http::Response get(Call& call) {
  const auto& id = call.request.param("id");
  auto agent = call.storage()->getAgent(id);
  if (!agent) {
    return errorResponse(agent.error());
  }
  if (!agent.value()) {
    return notFound("agent \"" + id + "\"");
  }
  return http::Response::json(200, toJson(*agent.value()));
}

http::Response create(Call& call) {
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  JsonFields f(*body);
  auto id = f.string("id", true, 128);
  if (!f.ok()) {
    return errorResponse(f.error());
  }
  if (!validId(*id)) {
    return http::Response::error(400, "invalid", "\"id\" must be 1 to 128 characters without '/' or control characters");
  }
  call.subject = *id;
  auto existing = call.storage()->getAgent(*id);
  if (!existing) {
    return errorResponse(existing.error());
  }
  if (existing.value()) {
    return http::Response::error(409, "agent.exists", "agent \"" + *id + "\" exists already; PUT changes it");
  }
  sdk::Agent a;
  a.id = *id;
  a.tenant = call.tenant;
  if (auto s = readAgent(*body, a); !s) {
    return errorResponse(s.error());
  }
  auto stored = call.storage()->upsertAgent(a);
  if (!stored) {
    return errorResponse(stored.error());
  }
  return http::Response::json(201, toJson(stored.value()));
}

http::Response update(Call& call) {
  const auto& id = call.request.param("id");
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  auto existing = call.storage()->getAgent(id);
  if (!existing) {
    return errorResponse(existing.error());
  }
  if (!existing.value()) {
    return notFound("agent \"" + id + "\"");
  }
  sdk::Agent a = *existing.value();
  if (body->is_object() && body->contains("id") && (*body)["id"] != id) {
    return http::Response::error(400, "invalid", "\"id\" in the body differs from the path");
  }
  if (auto s = readAgent(*body, a); !s) {
    return errorResponse(s.error());
  }
  auto stored = call.storage()->upsertAgent(a);
  if (!stored) {
    return errorResponse(stored.error());
  }
  return http::Response::json(200, toJson(stored.value()));
}

http::Response remove(Call& call) {
  const auto& id = call.request.param("id");
  auto removed = AdminQueries(call.storage()).deleteAgent(id);
  if (!removed) {
    return errorResponse(removed.error());
  }
  if (!removed.value()) {
    return notFound("agent \"" + id + "\"");
  }
  return http::Response::noContent();
}

http::Response setStatus(Call& call) {
  const auto& id = call.request.param("id");
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  JsonFields f(*body);
  f.only({"status", "command_id"});
  auto status = f.string("status", true, 32);
  auto commandId = f.string("command_id", false, 128);
  if (f.ok() && !parseAgentStatus(*status)) {
    f.fail("\"status\" must be one of available, busy, away, offline");
  }
  if (!f.ok()) {
    return errorResponse(f.error());
  }
  auto existing = call.storage()->getAgent(id);
  if (!existing) {
    return errorResponse(existing.error());
  }
  if (!existing.value()) {
    return notFound("agent \"" + id + "\"");
  }
  sdk::OutboundCommand c;
  c.commandId = commandIdFor(commandId.value_or(call.request.header("Idempotency-Key")));
  c.tenant = call.tenant;
  c.kind = sdk::CommandKind::SetAgentStatus;
  c.agent = id;
  c.agentStatus = *status;
  c.origin = "admin:" + call.who.name;
  call.detail = "status=" + *status + " command_id=" + c.commandId;
  auto done = submitCommand(call.services(), c, std::chrono::seconds(3));
  if (!done) {
    return errorResponse(done.error());
  }
  if (done->final && done->result.stage == sdk::ResultStage::Failed) {
    return http::Response::error(409, "command.failed", done->result.reason);
  }
  auto after = call.storage()->getAgent(id);
  json j = after && after.value() ? toJson(*after.value()) : json::object();
  j["command"] = toJson(done->result);
  return http::Response::json(done->final ? 200 : 202, j);
}

}  // namespace

void addAgentRoutes(ApiRoutes& routes) {
  routes.add("GET", "/v1/agents", Access::Read, "", list);
  routes.add("POST", "/v1/agents", Access::Administer, "agent.create", create);
  routes.add("GET", "/v1/agents/{id}", Access::Read, "", get);
  routes.add("PUT", "/v1/agents/{id}", Access::Administer, "agent.update", update);
  routes.add("DELETE", "/v1/agents/{id}", Access::Administer, "agent.delete", remove);
  routes.add("PUT", "/v1/agents/{id}/status", Access::Operate, "agent.status", setStatus);
}

}  // namespace switchboard::admin
