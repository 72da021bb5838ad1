// Auto-responder rules at run time, over the plugin-state layout its README describes (TenantStorage
// state, namespace = the plugin instance's name): `rules/<name>` (a JSON rule), `revision` (changed
// after every edit so the plugin reloads), `status` (written by the plugin after each load). An edit
// also publishes `autoresponder.rules_changed` so the plugin reloads at its next message.

#include <chrono>

#include "admin/api_routes.hpp"
#include "admin/json_codec.hpp"

namespace switchboard::admin {
namespace {

constexpr int kMaxRules = 10000;
constexpr std::size_t kMaxRuleBytes = 64 * 1024;

// Only instances of the configuration are addressed (a typo is a 404, not an orphan namespace).
bool configured(Call& call, const std::string& instance) {
  auto* plugins = call.services().plugins;
  if (plugins == nullptr) {
    return false;
  }
  for (const auto& p : plugins->plugins()) {
    if (p.name == instance) {
      return true;
    }
  }
  return false;
}

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 128) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.';
    if (!ok) {
      return false;
    }
  }
  return true;
}

// Marks the change: a new revision for the plugin's periodic check, and the event for a prompt reload.
sdk::Status announce(Call& call, const std::string& instance) {
  const auto now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  SB_TRY(call.storage()->putState(instance, "revision", std::to_string(now)));
  if (auto* bus = call.services().events) {
    sdk::Event e;
    e.type = "autoresponder.rules_changed";
    e.tenant = call.tenant;
    e.subject = instance;
    e.attributes = {{"instance", instance}};
    e.timestamp = now;
    bus->publish(e);
  }
  return sdk::okStatus();
}

http::Response listRules(Call& call) {
  const auto& instance = call.request.param("instance");
  if (!configured(call, instance)) {
    return notFound("plugin \"" + instance + "\"");
  }
  auto storage = call.storage();
  auto rows = storage->scanState(instance, "rules/", kMaxRules);
  if (!rows) {
    return errorResponse(rows.error());
  }
  json items = json::array();
  for (const auto& [key, value] : rows.value()) {
    auto rule = json::parse(value, nullptr, false);
    // A stored value that is not JSON is shown as it is: the plugin lists it in status.errors.
    items.push_back(rule.is_discarded() ? json{{"name", key.substr(6)}, {"invalid", value}} : rule);
  }
  json out{{"items", items}, {"status", nullptr}, {"revision", nullptr}};
  if (auto status = storage->getState(instance, "status"); status && status.value()) {
    auto parsed = json::parse(*status.value(), nullptr, false);
    out["status"] = parsed.is_discarded() ? json(*status.value()) : parsed;
  }
  if (auto revision = storage->getState(instance, "revision"); revision && revision.value()) {
    out["revision"] = *revision.value();
  }
  return http::Response::json(200, out);
}

http::Response putRule(Call& call) {
  const auto& instance = call.request.param("instance");
  const auto& name = call.request.param("name");
  call.subject = instance + " " + name;
  if (!configured(call, instance)) {
    return notFound("plugin \"" + instance + "\"");
  }
  if (!validName(name)) {
    return http::Response::error(400, "invalid", "a rule name is 1 to 128 letters, digits, '-', '_' or '.'");
  }
  if (call.request.body.size() > kMaxRuleBytes) {
    return http::Response::error(413, "payload_too_large", "a rule is at most 64 KiB of JSON");
  }
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  if (!body->is_object()) {
    return http::Response::error(400, "invalid", "a rule is a JSON object with the keys of a YAML rule");
  }
  if (body->contains("name") && (*body)["name"] != name) {
    return http::Response::error(400, "invalid", "\"name\" in the body must be \"" + name + "\" as in the path");
  }
  (*body)["name"] = name;
  auto storage = call.storage();
  if (auto s = storage->putState(instance, "rules/" + name, body->dump()); !s) {
    return errorResponse(s.error());
  }
  if (auto s = announce(call, instance); !s) {
    return errorResponse(s.error());
  }
  return http::Response::json(200, *body);
}

http::Response deleteRule(Call& call) {
  const auto& instance = call.request.param("instance");
  const auto& name = call.request.param("name");
  call.subject = instance + " " + name;
  if (!configured(call, instance)) {
    return notFound("plugin \"" + instance + "\"");
  }
  auto storage = call.storage();
  auto existing = storage->getState(instance, "rules/" + name);
  if (!existing) {
    return errorResponse(existing.error());
  }
  if (!existing.value()) {
    return notFound("rule \"" + name + "\" of plugin \"" + instance + "\"");
  }
  if (auto s = storage->deleteState(instance, "rules/" + name); !s) {
    return errorResponse(s.error());
  }
  if (auto s = announce(call, instance); !s) {
    return errorResponse(s.error());
  }
  return http::Response::noContent();
}

}  // namespace

void addPluginStateRoutes(ApiRoutes& routes) {
  routes.add("GET", "/v1/plugins/{instance}/rules", Access::Read, "", listRules);
  routes.add("PUT", "/v1/plugins/{instance}/rules/{name}", Access::Administer, "plugin.rule.put", putRule);
  routes.add("DELETE", "/v1/plugins/{instance}/rules/{name}", Access::Administer, "plugin.rule.delete", deleteRule);
}

}  // namespace switchboard::admin
