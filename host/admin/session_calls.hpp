#pragma once

// Calls into the connectors' SessionControl (on their strands, through the PluginDirectory), for
// the account routes and readiness. Private to host/admin.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admin/api_core.hpp"

namespace switchboard::admin {

inline constexpr std::chrono::milliseconds kSessionCallDeadline{5000};

/// Runs `fn` with the SessionControl of plugin `instance` (on its strand, waiting at most
/// `deadline`) and returns what it returned.
template <typename T, typename Fn>
sdk::Result<T> callSession(PluginDirectory& plugins, const std::string& instance, Fn fn,
                           std::chrono::milliseconds deadline) {
  // Shared, because after a timeout the call may still run on the plugin's strand.
  auto out = std::make_shared<std::optional<sdk::Result<T>>>();
  auto s = plugins.withSessionControl(
      instance, [out, fn](sdk::SessionControl& control) { out->emplace(fn(control)); }, deadline);
  if (!s) {
    return s.takeError();
  }
  if (!out->has_value()) {
    return sdk::Error::retriable("sessions.timeout", "plugin " + instance + " did not answer in time");
  }
  return std::move(**out);
}

/// The same for the API's routes, with the API's plugins and kSessionCallDeadline.
template <typename T, typename Fn>
sdk::Result<T> callSession(ApiCore& core, const std::string& instance, Fn fn) {
  auto* plugins = core.services().plugins;
  if (plugins == nullptr) {
    return sdk::Error::permanent("sessions.unavailable", "no connector with session control runs here");
  }
  return callSession<T>(*plugins, instance, std::move(fn), kSessionCallDeadline);
}

/// Every session of `tenant` across the connectors (connectors that fail to answer are skipped),
/// then those known from events only.
std::vector<sdk::SessionStatus> allSessions(ApiCore& core, const std::string& tenant);

struct LocatedSession {
  std::string instance;  ///< the plugin running it; empty when known from events only
  sdk::SessionStatus status;
  bool observed = false;  ///< known from `session.*` events (no SessionControl to call)
};
/// The connector running `account` for `tenant`, or the session its events describe;
/// "session.not_found" when neither knows it.
sdk::Result<LocatedSession> locateSession(ApiCore& core, const std::string& tenant, const std::string& account);

/// The error for what needs SessionControl on a session known from events only.
sdk::Error noSessionControl(const std::string& account);

}  // namespace switchboard::admin
