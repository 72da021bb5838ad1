#include "admin/session_calls.hpp"

namespace switchboard::admin {

std::vector<sdk::SessionStatus> allSessions(ApiCore& core, const std::string& tenant) {
  std::vector<sdk::SessionStatus> out;
  auto* plugins = core.services().plugins;
  for (const auto& instance : plugins != nullptr ? plugins->sessionControllers() : std::vector<std::string>{}) {
    auto listed = callSession<std::vector<sdk::SessionStatus>>(
        core, instance, [tenant](sdk::SessionControl& c) { return c.listSessions(tenant); });
    if (!listed) {
      core.log().warn("listing sessions failed. plugin={} error=\"{}\"", instance, listed.error().describe());
      continue;
    }
    for (auto& s : listed.value()) {
      if (s.tenant == tenant) {  // a connector answering for another tenant is not trusted blindly
        out.push_back(std::move(s));
      }
    }
  }
  for (auto& s : core.observedSessions().list(tenant)) {
    bool listed = false;
    for (const auto& o : out) {
      listed = listed || o.account == s.account;
    }
    if (!listed) {
      out.push_back(std::move(s));
    }
  }
  return out;
}

sdk::Error noSessionControl(const std::string& account) {
  return sdk::Error::permanent("sessions.unavailable",
                               "the connector of account \"" + account +
                                   "\" has no session control; it pairs its configured accounts by QR code itself");
}

sdk::Result<LocatedSession> locateSession(ApiCore& core, const std::string& tenant, const std::string& account) {
  auto* plugins = core.services().plugins;
  if (plugins != nullptr) {
    for (const auto& instance : plugins->sessionControllers()) {
      auto status = callSession<sdk::SessionStatus>(
          core, instance, [tenant, account](sdk::SessionControl& c) { return c.sessionStatus(tenant, account); });
      if (status && status->tenant == tenant) {
        return LocatedSession{instance, std::move(status).value()};
      }
      if (!status && status.error().code != "session.not_found") {
        return status.takeError();
      }
    }
  }
  if (auto seen = core.observedSessions().find(tenant, account)) {
    return LocatedSession{"", std::move(*seen), true};
  }
  return sdk::Error::permanent("session.not_found", "no account \"" + account + "\"");
}

}  // namespace switchboard::admin
