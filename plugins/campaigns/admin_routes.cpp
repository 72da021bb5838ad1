// The plugin's admin routes: POST /v1/hooks/<instance>/<action> with a JSON body, answered with
// JSON. The admin API's tokens do not cover plugin routes, so each request must carry
// `Authorization: Bearer <admin_token>`; without a configured token the routes are not served.

#include <openssl/crypto.h>

#include "campaigns_plugin.hpp"

namespace switchboard::campaigns {
namespace {

unsigned httpStatusOf(const sdk::Error& e) {
  if (e.isRetriable()) return 503;
  if (e.code == "campaign.invalid" || e.code == "campaign.bad_request") return 400;
  if (e.code == "campaign.not_found") return 404;
  if (e.code == "campaign.exists" || e.code == "campaign.bad_transition") return 409;
  return 500;
}

sdk::HttpRouteResponse answer(unsigned status, const nlohmann::json& body) {
  sdk::HttpRouteResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

sdk::HttpRouteResponse answer(const sdk::Result<nlohmann::json>& r) {
  if (r.ok()) {
    return answer(200, r.value());
  }
  return answer(httpStatusOf(r.error()), {{"error", r.error().code}, {"message", r.error().message}});
}

bool authorised(const sdk::HttpRouteRequest& req, const std::string& token) {
  auto it = req.headers.find("authorization");
  const std::string expected = "Bearer " + token;
  return it != req.headers.end() && it->second.size() == expected.size() &&
         CRYPTO_memcmp(it->second.data(), expected.data(), expected.size()) == 0;
}

std::string textField(const nlohmann::json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

sdk::Error badRequest(const std::string& why) { return sdk::Error::permanent("campaign.bad_request", why); }

}  // namespace

void CampaignsPlugin::registerRoutes() {
  const auto token = ctx_.config()["admin_token"].asString();
  if (token.empty()) {
    ctx_.logger().info("campaigns admin routes off (no admin_token)");
    return;
  }
  using Handler = std::function<sdk::Result<nlohmann::json>(const nlohmann::json&)>;
  auto idAction = [this](Action a) {
    return Handler([this, a](const nlohmann::json& b) -> sdk::Result<nlohmann::json> {
      const auto id = textField(b, "id");
      if (id.empty()) {
        return badRequest("the body needs the campaign's \"id\"");
      }
      return act(id, a);
    });
  };
  auto contactAction = [this](bool optedOut) {
    return Handler([this, optedOut](const nlohmann::json& b) -> sdk::Result<nlohmann::json> {
      const auto contact = textField(b, "contact");
      if (contact.empty()) {
        return badRequest("the body needs the \"contact\" id");
      }
      return setOptOut(contact, optedOut, textField(b, "source"), textField(b, "detail"));
    });
  };
  const std::vector<std::pair<std::string, Handler>> table = {
      {"create",
       [this](const nlohmann::json& b) -> sdk::Result<nlohmann::json> {
         if (!b.is_object() || !b.contains("campaign")) {
           return badRequest("the body needs the definition under \"campaign\"");
         }
         const bool schedule = b.contains("schedule") && b["schedule"].is_boolean() && b["schedule"].get<bool>();
         return create(b["campaign"], schedule);
       }},
      {"update",
       [this](const nlohmann::json& b) -> sdk::Result<nlohmann::json> {
         if (!b.is_object() || !b.contains("campaign")) {
           return badRequest("the body needs the definition under \"campaign\"");
         }
         return update(b["campaign"]);
       }},
      {"schedule", idAction(Action::Schedule)},
      {"pause", idAction(Action::Pause)},
      {"resume", idAction(Action::Resume)},
      {"cancel", idAction(Action::Cancel)},
      {"get",
       [this](const nlohmann::json& b) -> sdk::Result<nlohmann::json> {
         const auto id = textField(b, "id");
         return id.empty() ? sdk::Result<nlohmann::json>(badRequest("the body needs the campaign's \"id\"")) : describe(id);
       }},
      {"list", [this](const nlohmann::json&) { return list(); }},
      {"report",
       [this](const nlohmann::json& b) -> sdk::Result<nlohmann::json> {
         const auto id = textField(b, "id");
         if (id.empty()) {
           return badRequest("the body needs the campaign's \"id\"");
         }
         const int run = b.contains("run") && b["run"].is_number_integer() ? b["run"].get<int>() : 0;
         const auto metric = textField(b, "metric");
         return report(id, metric.empty() ? "reply" : metric, std::max(0, run));
       }},
      {"opt_out", contactAction(true)},
      {"opt_in", contactAction(false)},
      {"opt_status",
       [this](const nlohmann::json& b) -> sdk::Result<nlohmann::json> {
         const auto contact = textField(b, "contact");
         return contact.empty() ? sdk::Result<nlohmann::json>(badRequest("the body needs the \"contact\" id"))
                                : optOutStatus(contact);
       }},
  };
  for (const auto& entry : table) {
    const auto& name = entry.first;
    auto route = ctx_.addHttpRoute(
        name, [token, handler = entry.second, alive = alive_](sdk::HttpRouteRequest req, std::function<void(sdk::HttpRouteResponse)> respond) {
          if (!*alive) {
            respond(answer(503, {{"error", "campaign.stopped"}, {"message", "the campaigns plugin is stopping"}}));
            return;
          }
          if (!authorised(req, token)) {
            respond(answer(401, {{"error", "unauthorized"}, {"message", "a valid bearer token is required"}}));
            return;
          }
          auto body = req.body.empty() ? nlohmann::json::object() : nlohmann::json::parse(req.body, nullptr, false);
          if (body.is_discarded()) {
            respond(answer(400, {{"error", "bad_json"}, {"message", "the body is not JSON"}}));
            return;
          }
          respond(answer(handler(body)));
        });
    if (!route.ok()) {
      ctx_.logger().warn("campaigns route \"" + name + "\" not served: " + route.error().describe());
      continue;
    }
    routes_.push_back(std::move(route).value());
  }
}

}  // namespace switchboard::campaigns
