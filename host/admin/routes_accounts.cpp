// Accounts and their WhatsApp sessions: list, create, status, QR (JSON, PNG, SVG, text), pairing
// code, logout. The work is done by a connector implementing sdk::SessionControl.

#include <chrono>
#include <map>

#include "admin/api_routes.hpp"
#include "admin/json_codec.hpp"
#include "admin/json_fields.hpp"
#include "admin/qr_render.hpp"
#include "admin/session_calls.hpp"

namespace switchboard::admin {
namespace {

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool digitsOnly(const std::string& s) {
  if (s.empty() || s.size() > 20) {
    return false;
  }
  for (char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  return true;
}

json accountJson(const std::optional<host::AccountRecord>& record, const std::optional<sdk::SessionStatus>& session,
                 const std::string& instance) {
  json j;
  if (record) {
    j = toJson(*record);
  }
  if (session) {
    j["id"] = session->account;
    j["tenant"] = session->tenant;
    j["session"] = toJson(*session);
    j["connector"] = instance;
  } else {
    j["session"] = nullptr;
  }
  return j;
}

http::Response listAccounts(Call& call) {
  auto records = call.services().store->listAccounts(call.tenant);
  if (!records) {
    return errorResponse(records.error());
  }
  std::map<std::string, json> byId;
  for (const auto& r : records.value()) {
    byId[r.id] = accountJson(r, std::nullopt, "");
  }
  auto* plugins = call.services().plugins;
  if (plugins != nullptr) {
    for (const auto& instance : plugins->sessionControllers()) {
      auto listed = callSession<std::vector<sdk::SessionStatus>>(
          call.core, instance, [t = call.tenant](sdk::SessionControl& c) { return c.listSessions(t); });
      if (!listed) {
        continue;
      }
      for (const auto& s : listed.value()) {
        if (s.tenant != call.tenant) {
          continue;
        }
        auto& j = byId[s.account];
        j["id"] = s.account;
        j["tenant"] = s.tenant;
        j["session"] = toJson(s);
        j["connector"] = instance;
      }
    }
  }
  // Sessions known from their events only (a connector without session control).
  for (const auto& s : call.core.observedSessions().list(call.tenant)) {
    auto& j = byId[s.account];
    if (!j.contains("session") || j["session"].is_null()) {
      j["id"] = s.account;
      j["tenant"] = s.tenant;
      j["session"] = toJson(s);
      j["connector"] = "";
    }
  }
  json items = json::array();
  for (auto& [id, j] : byId) {
    items.push_back(std::move(j));
  }
  return http::Response::json(200, {{"items", items}});
}

http::Response createAccount(Call& call) {
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  JsonFields f(*body);
  f.only({"id", "name", "connector"});
  auto id = f.string("id", true, 64);
  auto name = f.string("name", false, 256);
  auto connector = f.string("connector", false, 128);
  if (!f.ok()) {
    return errorResponse(f.error());
  }
  call.subject = *id;
  auto* plugins = call.services().plugins;
  auto controllers = plugins != nullptr ? plugins->sessionControllers() : std::vector<std::string>{};
  std::string instance;
  if (connector) {
    for (const auto& c : controllers) {
      if (c == *connector) {
        instance = c;
      }
    }
    if (instance.empty()) {
      return notFound("connector \"" + *connector + "\" with session control");
    }
  } else if (controllers.size() == 1) {
    instance = controllers.front();
  } else if (controllers.empty()) {
    return http::Response::error(501, "sessions.unavailable", "no connector with session control runs here");
  } else {
    return http::Response::error(400, "invalid", "several connectors run sessions; name one in \"connector\"");
  }
  // An account id belongs to one tenant for good; another tenant's id is reported as taken.
  auto existing = call.services().store->getAccount(*id);
  if (existing && existing.value() && existing.value()->tenant != call.tenant) {
    return http::Response::error(409, "account.exists", "account id \"" + *id + "\" is taken");
  }
  if (auto refusal = checkAccountQuota(call.core, call.tenant, *id)) {
    return *refusal;
  }
  auto created = callSession<sdk::SessionStatus>(call.core, instance,
                                                 [t = call.tenant, a = *id, n = name.value_or("")](sdk::SessionControl& c) {
                                                   return c.createSession(t, a, n);
                                                 });
  if (!created) {
    return errorResponse(created.error());
  }
  call.detail = "connector=" + instance;
  return http::Response::json(201, accountJson(std::nullopt, created.value(), instance));
}

http::Response getAccount(Call& call) {
  const auto& account = call.request.param("account");
  auto located = locateSession(call.core, call.tenant, account);
  if (located) {
    auto record = call.services().store->getAccount(account);
    std::optional<host::AccountRecord> r;
    if (record && record.value() && record.value()->tenant == call.tenant) {
      r = *record.value();
    }
    return http::Response::json(200, accountJson(r, located->status, located->instance));
  }
  if (located.error().code != "session.not_found") {
    return errorResponse(located.error());
  }
  auto record = call.services().store->getAccount(account);
  if (!record) {
    return errorResponse(record.error());
  }
  if (!record.value() || record.value()->tenant != call.tenant) {
    return notFound("account \"" + account + "\"");
  }
  return http::Response::json(200, accountJson(*record.value(), std::nullopt, ""));
}

http::Response qr(Call& call) {
  const auto& account = call.request.param("account");
  auto format = call.request.queryValue("format").value_or("json");
  if (format != "json" && format != "png" && format != "svg" && format != "text") {
    return http::Response::error(400, "invalid", "format must be json, png, svg or text");
  }
  auto located = locateSession(call.core, call.tenant, account);
  if (!located) {
    return errorResponse(located.error());
  }
  auto code = located->observed
                  ? call.core.observedSessions().qr(call.tenant, account, nowMs())
                  : callSession<sdk::PairingQr>(call.core, located->instance, [t = call.tenant, account](sdk::SessionControl& c) {
                      return c.pairingQr(t, account);
                    });
  if (!code) {
    return errorResponse(code.error());
  }
  if (format == "json") {
    return http::Response::json(200, {{"account", account}, {"code", code->code}, {"expires_at", code->expiresAt}});
  }
  auto matrix = encodeQr(code->code);
  if (!matrix) {
    return errorResponse(matrix.error());
  }
  http::Response r;
  if (format == "svg") {
    r = http::Response::text(200, qrToSvg(*matrix), "image/svg+xml");
  } else if (format == "text") {
    r = http::Response::text(200, qrToTerminal(*matrix));
  } else {
    auto png = qrToPng(*matrix);
    if (!png) {
      return errorResponse(png.error());
    }
    r = http::Response::text(200, std::move(png).value(), "image/png");
  }
  r.headers["X-QR-Expires-At"] = std::to_string(code->expiresAt);
  return r;
}

http::Response pairingCode(Call& call) {
  const auto& account = call.request.param("account");
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  JsonFields f(*body);
  f.only({"phone"});
  auto phone = f.string("phone", true, 32);
  if (f.ok() && !digitsOnly(*phone)) {
    f.fail("\"phone\" must be the number's digits in international form, without '+'");
  }
  if (!f.ok()) {
    return errorResponse(f.error());
  }
  auto located = locateSession(call.core, call.tenant, account);
  if (!located) {
    return errorResponse(located.error());
  }
  if (located->observed) {
    return errorResponse(noSessionControl(account));
  }
  auto code = callSession<std::string>(call.core, located->instance, [t = call.tenant, account, p = *phone](sdk::SessionControl& c) {
    return c.requestPairingCode(t, account, p);
  });
  if (!code) {
    return errorResponse(code.error());
  }
  call.detail = "phone=" + *phone;
  return http::Response::json(200, {{"account", account}, {"code", code.value()}});
}

http::Response logout(Call& call) {
  const auto& account = call.request.param("account");
  auto located = locateSession(call.core, call.tenant, account);
  if (!located) {
    return errorResponse(located.error());
  }
  if (located->observed) {
    return errorResponse(noSessionControl(account));
  }
  auto done = callSession<bool>(call.core, located->instance, [t = call.tenant, account](sdk::SessionControl& c) -> sdk::Result<bool> {
    SB_TRY(c.logout(t, account));
    return true;
  });
  if (!done) {
    return errorResponse(done.error());
  }
  auto after = locateSession(call.core, call.tenant, account);
  return http::Response::json(200, after ? accountJson(std::nullopt, after->status, after->instance)
                                         : json{{"id", account}, {"session", nullptr}});
}

}  // namespace

void addAccountRoutes(ApiRoutes& routes) {
  routes.add("GET", "/v1/accounts", Access::Read, "", listAccounts);
  routes.add("POST", "/v1/accounts", Access::Administer, "account.create", createAccount);
  routes.add("GET", "/v1/accounts/{account}", Access::Read, "", getAccount);
  // Whoever sees the QR code can link a phone to the account: admins only.
  routes.add("GET", "/v1/accounts/{account}/qr", Access::Administer, "", qr);
  routes.add("POST", "/v1/accounts/{account}/pairing-code", Access::Administer, "account.pairing_code", pairingCode);
  routes.add("POST", "/v1/accounts/{account}/logout", Access::Administer, "account.logout", logout);
}

}  // namespace switchboard::admin
