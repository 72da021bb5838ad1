#include "admin_api.hpp"

#include <nlohmann/json.hpp>

namespace switchboard::aiagent {
namespace {

using json = nlohmann::json;

sdk::HttpRouteResponse answer(unsigned status, const json& body) {
  return {status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

sdk::HttpRouteResponse failure(unsigned status, const std::string& code, const std::string& message) {
  return answer(status, {{"error", {{"code", code}, {"message", message}}}});
}

sdk::HttpRouteResponse fromError(const sdk::Error& e) {
  return failure(e.isRetriable() ? 503 : 400, e.code, e.message);
}

// Compares without stopping at the first difference, so timing does not reveal the token.
bool sameSecret(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = static_cast<unsigned char>(diff | (a[i] ^ (i < b.size() ? b[i] : 0)));
  }
  return diff == 0;
}

std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

sdk::HttpRouteResponse handleAdmin(sdk::PluginContext& ctx, const AgentDirectory& directory, const Budget& budget,
                                   const std::string& token, const sdk::HttpRouteRequest& request, std::int64_t nowMs) {
  auto auth = request.headers.find("authorization");
  if (token.empty() || auth == request.headers.end() || !sameSecret(auth->second, "Bearer " + token)) {
    return failure(401, "unauthorized", "a valid bearer token is required");
  }
  auto body = json::parse(request.body, nullptr, false);
  if (!body.is_object()) {
    return failure(400, "bad_json", "the body must be a JSON object");
  }
  auto tenant = text(body, "tenant");
  auto storage = ctx.storage(tenant.empty() ? sdk::kDefaultTenant : tenant);
  if (!storage) {
    return failure(503, "storage.none", "the daemon runs without storage");
  }
  const auto op = text(body, "op");
  if (op == "list") {
    auto view = directory.load(*storage);
    if (!view.ok()) {
      return fromError(view.error());
    }
    json agents = json::array();
    for (const auto& a : view->agents) {
      auto j = agentToJson(a);
      j["switched_off"] = view->disabled.count(a.name) != 0;
      agents.push_back(std::move(j));
    }
    return answer(200, {{"agents", agents}, {"errors", view->errors}});
  }
  if (op == "put_agent") {
    auto agent = parseAgent(body.value("agent", json()));
    if (!agent.ok()) {
      return fromError(agent.error());
    }
    if (auto s = directory.put(*storage, agent.value()); !s.ok()) {
      return fromError(s.error());
    }
    ctx.logger().info("agent stored through the admin API name=" + agent->name);
    return answer(200, {{"ok", true}, {"agent", agentToJson(agent.value())}});
  }
  const bool agentOp = op == "delete_agent" || op == "enable_agent" || op == "disable_agent";
  if (agentOp) {
    const auto name = text(body, "name");
    if (name.empty()) {
      return failure(400, "invalid", op + " needs a name");
    }
    auto s = op == "delete_agent" ? directory.remove(*storage, name)
                                  : directory.setAgentEnabled(*storage, name, op == "enable_agent");
    return s.ok() ? answer(200, {{"ok", true}}) : fromError(s.error());
  }
  if (op == "enable_conversation" || op == "disable_conversation") {
    const auto conversation = text(body, "conversation");
    if (conversation.empty()) {
      return failure(400, "invalid", op + " needs a conversation");
    }
    auto s = directory.setConversationEnabled(*storage, conversation, op == "enable_conversation");
    return s.ok() ? answer(200, {{"ok", true}}) : fromError(s.error());
  }
  if (op == "usage") {
    const auto account = text(body, "account");
    auto spent = budget.spent(*storage, account, nowMs);
    if (!spent.ok()) {
      return fromError(spent.error());
    }
    return answer(200, {{"account", account}, {"day", Budget::dayOf(nowMs)}, {"tokens", spent->tokens},
                        {"cost", spent->cost}});
  }
  return failure(400, "unknown_op", "unknown op \"" + op.substr(0, 64) + "\"");
}

}  // namespace switchboard::aiagent
