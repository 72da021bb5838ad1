// Auto-responder items at run time, over the plugin-state layout its README describes (TenantStorage
// state, namespace = the plugin instance's name): `rules/<name>`, `faq/<id>` and
// `quick_replies/<name>` (JSON items), `revision` (changed after every edit so the plugin reloads),
// `status` (written by the plugin after each load). An edit also publishes
// `autoresponder.rules_changed` so the plugin reloads at its next message. The plugin validates
// the items (and lists the bad ones in `status.errors`); here only their shape and key are checked.

#include <chrono>

#include "admin/api_routes.hpp"
#include "admin/json_codec.hpp"

namespace switchboard::admin {
namespace {

constexpr int kMaxItems = 10000;
constexpr std::size_t kMaxItemBytes = 64 * 1024;

// One kind of item: its path segment (also its state prefix) and the field that names it.
struct Collection {
  const char* segment;  ///< "rules", "faq", "quick_replies"
  const char* key;      ///< "name" or "id"
  const char* item;     ///< "rule", "FAQ entry", "quick reply", for messages
  const char* audit;    ///< audit action stem
};

constexpr Collection kRules{"rules", "name", "rule", "plugin.rule"};
constexpr Collection kFaq{"faq", "id", "FAQ entry", "plugin.faq"};
constexpr Collection kQuickReplies{"quick_replies", "name", "quick reply", "plugin.quick_reply"};

std::string prefixOf(const Collection& c) { return std::string(c.segment) + "/"; }

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

http::Response listItems(Call& call, const Collection& col) {
  const auto& instance = call.request.param("instance");
  if (!configured(call, instance)) {
    return notFound("plugin \"" + instance + "\"");
  }
  auto storage = call.storage();
  const std::string prefix = prefixOf(col);
  auto rows = storage->scanState(instance, prefix, kMaxItems);
  if (!rows) {
    return errorResponse(rows.error());
  }
  json items = json::array();
  for (const auto& [key, value] : rows.value()) {
    auto item = json::parse(value, nullptr, false);
    // A stored value that is not JSON is shown as it is: the plugin lists it in status.errors.
    items.push_back(item.is_discarded() ? json{{col.key, key.substr(prefix.size())}, {"invalid", value}} : item);
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

http::Response putItem(Call& call, const Collection& col) {
  const auto& instance = call.request.param("instance");
  const auto& name = call.request.param("name");
  call.subject = instance + " " + name;
  if (!configured(call, instance)) {
    return notFound("plugin \"" + instance + "\"");
  }
  if (!validName(name)) {
    return http::Response::error(400, "invalid", std::string("a ") + col.item + " " + col.key +
                                                     " is 1 to 128 letters, digits, '-', '_' or '.'");
  }
  if (call.request.body.size() > kMaxItemBytes) {
    return http::Response::error(413, "payload_too_large", std::string("a ") + col.item + " is at most 64 KiB of JSON");
  }
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  if (!body->is_object()) {
    return http::Response::error(400, "invalid",
                                 std::string("a ") + col.item + " is a JSON object with the keys of its YAML form");
  }
  if (body->contains(col.key) && (*body)[col.key] != name) {
    return http::Response::error(400, "invalid", std::string("\"") + col.key + "\" in the body must be \"" + name +
                                                     "\" as in the path");
  }
  (*body)[col.key] = name;
  auto storage = call.storage();
  if (auto s = storage->putState(instance, prefixOf(col) + name, body->dump()); !s) {
    return errorResponse(s.error());
  }
  if (auto s = announce(call, instance); !s) {
    return errorResponse(s.error());
  }
  return http::Response::json(200, *body);
}

http::Response deleteItem(Call& call, const Collection& col) {
  const auto& instance = call.request.param("instance");
  const auto& name = call.request.param("name");
  call.subject = instance + " " + name;
  if (!configured(call, instance)) {
    return notFound("plugin \"" + instance + "\"");
  }
  auto storage = call.storage();
  auto existing = storage->getState(instance, prefixOf(col) + name);
  if (!existing) {
    return errorResponse(existing.error());
  }
  if (!existing.value()) {
    return notFound(std::string(col.item) + " \"" + name + "\" of plugin \"" + instance + "\"");
  }
  if (auto s = storage->deleteState(instance, prefixOf(col) + name); !s) {
    return errorResponse(s.error());
  }
  if (auto s = announce(call, instance); !s) {
    return errorResponse(s.error());
  }
  return http::Response::noContent();
}

}  // namespace

void addPluginStateRoutes(ApiRoutes& routes) {
  for (const Collection* col : {&kRules, &kFaq, &kQuickReplies}) {
    const std::string base = std::string("/v1/plugins/{instance}/") + col->segment;
    routes.add("GET", base, Access::Read, "", [col](Call& c) { return listItems(c, *col); });
    routes.add("PUT", base + "/{name}", Access::Administer, std::string(col->audit) + ".put",
               [col](Call& c) { return putItem(c, *col); });
    routes.add("DELETE", base + "/{name}", Access::Administer, std::string(col->audit) + ".delete",
               [col](Call& c) { return deleteItem(c, *col); });
  }
}

}  // namespace switchboard::admin
