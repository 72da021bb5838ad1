// Message templates: list, read, create or replace, delete.

#include "admin/admin_queries.hpp"
#include "admin/api_routes.hpp"
#include "admin/json_codec.hpp"

namespace switchboard::admin {
namespace {

http::Response list(Call& call) {
  auto all = AdminQueries(call.storage()).listTemplates();
  if (!all) {
    return errorResponse(all.error());
  }
  json items = json::array();
  for (const auto& t : all.value()) {
    items.push_back(toJson(t));
  }
  return http::Response::json(200, {{"items", items}});
}

http::Response get(Call& call) {
  const auto& name = call.request.param("name");
  auto t = call.storage()->getTemplate(name);
  if (!t) {
    return errorResponse(t.error());
  }
  if (!t.value()) {
    return notFound("template \"" + name + "\"");
  }
  return http::Response::json(200, toJson(*t.value()));
}

http::Response put(Call& call) {
  const auto& name = call.request.param("name");
  if (name.size() > 256) {
    return http::Response::error(400, "invalid", "a template name is at most 256 bytes");
  }
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  if (body->is_object() && body->contains("name") && (*body)["name"] != name) {
    return http::Response::error(400, "invalid", "\"name\" in the body differs from the path");
  }
  auto existing = call.storage()->getTemplate(name);
  if (!existing) {
    return errorResponse(existing.error());
  }
  sdk::MessageTemplate t = existing.value().value_or(sdk::MessageTemplate{});
  t.name = name;
  if (auto s = readTemplate(*body, t); !s) {
    return errorResponse(s.error());
  }
  if (auto s = call.storage()->upsertTemplate(t); !s) {
    return errorResponse(s.error());
  }
  return http::Response::json(existing.value() ? 200 : 201, toJson(t));
}

http::Response remove(Call& call) {
  const auto& name = call.request.param("name");
  auto removed = AdminQueries(call.storage()).deleteTemplate(name);
  if (!removed) {
    return errorResponse(removed.error());
  }
  if (!removed.value()) {
    return notFound("template \"" + name + "\"");
  }
  return http::Response::noContent();
}

}  // namespace

void addTemplateRoutes(ApiRoutes& routes) {
  routes.add("GET", "/v1/templates", Access::Read, "", list);
  routes.add("GET", "/v1/templates/{name}", Access::Read, "", get);
  routes.add("PUT", "/v1/templates/{name}", Access::Administer, "template.put", put);
  routes.add("DELETE", "/v1/templates/{name}", Access::Administer, "template.delete", remove);
}

}  // namespace switchboard::admin
