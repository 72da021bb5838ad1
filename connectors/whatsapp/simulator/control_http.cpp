#include "simulator/control_http.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "simulator/control.hpp"

namespace switchboard::wasim {
namespace {

using nlohmann::json;

unsigned statusFor(const std::string& code) {
  if (code == "wasim.not_found" || code == "wasim.unknown_command") {
    return 404;
  }
  if (code == "wasim.exists" || code == "wasim.busy" || code == "wasim.offline") {
    return 409;
  }
  if (code == "wasim.qr_expired") {
    return 410;
  }
  return 400;
}

/// Runs `cmd` with the route's path parameters and the request's JSON body as its fields.
http::Handler command(Simulator& sim, std::string cmd, unsigned okStatus = 200) {
  return [&sim, cmd = std::move(cmd), okStatus](const http::Request& req) {
    json request = json::object();
    if (!req.body.empty()) {
      auto body = req.jsonBody();
      if (!body) {
        return http::Response::fromError(body.error(), 400);
      }
      if (!body->is_object()) {
        return http::Response::error(400, "bad_request", "the body is a JSON object");
      }
      request = std::move(*body);
    }
    request["cmd"] = cmd;
    if (auto phone = req.params.find("phone"); phone != req.params.end()) {
      request["phone"] = phone->second;
    }
    if (auto device = req.params.find("device"); device != req.params.end()) {
      int d = 0;
      for (char c : device->second) {
        if (c < '0' || c > '9' || d > 1000) {
          return http::Response::error(400, "bad_request", "the device is a number");
        }
        d = d * 10 + (c - '0');
      }
      request["device"] = d;
    }
    if (auto load = req.params.find("load"); load != req.params.end()) {
      std::uint64_t n = 0;
      for (char c : load->second) {
        if (c < '0' || c > '9' || n > 1'000'000'000) {
          return http::Response::error(400, "bad_request", "the load is a number");
        }
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      request["load"] = n;
    }
    json reply = runControlCommand(sim, request);
    if (!reply.value("ok", false)) {
      const auto& e = reply["error"];
      auto code = e.value("code", std::string("wasim.error"));
      return http::Response::error(statusFor(code), code, e.value("message", std::string()));
    }
    reply.erase("ok");
    return http::Response::json(okStatus, reply);
  };
}

}  // namespace

void EventFeed::publish(const SimEvent& event) {
  std::lock_guard lock(mutex_);
  // Every relayed message is an event: without a subscriber there is nothing to render it for.
  if (subscribers_.empty()) {
    return;
  }
  auto text = eventToJson(event).dump();
  std::erase_if(subscribers_, [&](const std::weak_ptr<http::WebSocket>& weak) {
    auto ws = weak.lock();
    return !ws || !ws->send(text);
  });
}

void EventFeed::subscribe(const http::WebSocketPtr& socket) {
  std::lock_guard lock(mutex_);
  subscribers_.push_back(socket);
}

std::shared_ptr<http::Router> controlRouter(Simulator& sim, std::shared_ptr<EventFeed> feed) {
  auto r = std::make_shared<http::Router>();
  r->add("GET", "/v1/info", command(sim, "info"));
  r->add("GET", "/v1/accounts", command(sim, "accounts"));
  r->add("POST", "/v1/accounts", command(sim, "create_account", 201));
  r->add("GET", "/v1/accounts/{phone}/devices", command(sim, "devices"));
  r->add("DELETE", "/v1/accounts/{phone}/devices/{device}", command(sim, "unlink"));
  r->add("POST", "/v1/accounts/{phone}/devices/{device}/fault", command(sim, "fault"));
  r->add("PUT", "/v1/accounts/{phone}/devices/{device}/delay", command(sim, "delay"));
  r->add("POST", "/v1/accounts/{phone}/devices/{device}/fail-login", command(sim, "fail_login"));
  r->add("GET", "/v1/pairings", command(sim, "pending"));
  r->add("POST", "/v1/accounts/{phone}/scan", command(sim, "scan"));
  r->add("POST", "/v1/accounts/{phone}/pairing-code", command(sim, "pair_code"));
  r->add("GET", "/v1/accounts/{phone}/inbox", command(sim, "inbox"));
  r->add("POST", "/v1/accounts/{phone}/messages", command(sim, "send", 202));
  r->add("POST", "/v1/accounts/{phone}/devices", command(sim, "link_device", 201));
  r->add("POST", "/v1/loads", command(sim, "load_start", 201));
  r->add("GET", "/v1/loads/{load}", command(sim, "load_status"));
  r->add("DELETE", "/v1/loads/{load}", command(sim, "load_stop"));
  // Any command as the stdin protocol takes it.
  r->add("POST", "/v1/commands", [&sim](const http::Request& req) {
    auto body = req.jsonBody();
    if (!body) {
      return http::Response::fromError(body.error(), 400);
    }
    json reply = runControlCommand(sim, *body);
    return http::Response::json(reply.value("ok", false) ? 200 : 400, reply);
  });
  r->addWebSocket("/v1/events", [feed](const http::Request&) -> std::variant<http::Response, http::WebSocketOpen> {
    return http::WebSocketOpen([feed](http::WebSocketPtr ws) {
      ws->start([](std::string, bool) {}, [](sdk::Status) {});
      feed->subscribe(ws);
    });
  });
  return r;
}

}  // namespace switchboard::wasim
