// The live event feed: a WebSocket streaming the pipeline's bus events (messages received, results,
// assignments, session changes) of the caller's tenant as JSON text messages, one event each.
// `types=message.,command.` keeps only events whose type starts with one of the prefixes.

#include "admin/api_core.hpp"
#include "admin/api_routes.hpp"
#include "admin/json_codec.hpp"
#include "http/websocket.hpp"

namespace switchboard::admin {
namespace {

std::vector<std::string> prefixes(const std::string& list) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    auto comma = list.find(',', start);
    auto part = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) {
      out.push_back(part);
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

}  // namespace

void addEventFeed(ApiRoutes& routes) {
  routes.addWebSocket("/v1/events", Access::Read, [](Call& call) -> std::variant<http::Response, http::WebSocketOpen> {
    auto* bus = call.services().events;
    if (bus == nullptr) {
      return http::Response::error(501, "events.unavailable", "no event bus here");
    }
    auto types = prefixes(call.request.queryValue("types").value_or(""));
    if (types.size() > 32) {
      return http::Response::error(400, "invalid", "at most 32 type prefixes");
    }
    auto feed = std::make_shared<ApiCore::Feed>();
    if (!call.core.addFeed(feed)) {
      return http::Response::error(503, "overloaded", "too many event feeds are open");
    }
    auto& core = call.core;
    return http::WebSocketOpen([bus, feed, types, tenant = call.tenant, &core](http::WebSocketPtr ws) {
      std::weak_ptr<http::WebSocket> weak = ws;
      auto onEvent = [weak, types, tenant](const sdk::Event& e) {
        if (e.tenant != tenant) {
          return;
        }
        if (!types.empty()) {
          bool wanted = false;
          for (const auto& p : types) {
            wanted = wanted || e.type.rfind(p, 0) == 0;
          }
          if (!wanted) {
            return;
          }
        }
        if (auto socket = weak.lock()) {
          // send() never blocks: a client that stops reading is dropped when its queue fills.
          socket->send(toJson(e).dump(-1, ' ', false, json::error_handler_t::replace));
        }
      };
      {
        std::lock_guard lock(feed->mutex);
        feed->subscription = bus->subscribe("", onEvent);
      }
      ws->start([](std::string, bool) {},  // clients have nothing to say; pings are answered by Beast
                [feed](sdk::Status) { feed->end(); });
      ws->send(json{{"type", "feed.open"}, {"tenant", tenant}, {"types", types}}.dump());
      core.log().debug("event feed opened. tenant={}", tenant);
    });
  });
}

}  // namespace switchboard::admin
