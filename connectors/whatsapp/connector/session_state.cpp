#include "connector/session_state.hpp"

#include <array>

namespace switchboard::whatsapp::connector {

namespace {

constexpr std::array<std::pair<SessionState, std::string_view>, 9> kNames{{
    {SessionState::Idle, "idle"},
    {SessionState::Connecting, "connecting"},
    {SessionState::Qr, "qr"},
    {SessionState::PairingCode, "pairing_code"},
    {SessionState::Connected, "connected"},
    {SessionState::Disconnected, "disconnected"},
    {SessionState::LoggedOut, "logged_out"},
    {SessionState::Parked, "parked"},
    {SessionState::Stopped, "stopped"},
}};

}  // namespace

std::string_view toString(SessionState s) {
  for (const auto& [state, name] : kNames) {
    if (state == s) {
      return name;
    }
  }
  return "unknown";
}

std::optional<SessionState> parseSessionState(std::string_view name) {
  for (const auto& [state, n] : kNames) {
    if (n == name) {
      return state;
    }
  }
  return std::nullopt;
}

bool transitionAllowed(SessionState from, SessionState to) {
  using S = SessionState;
  if (from == to || from == S::Stopped) {
    return false;
  }
  switch (to) {
    case S::Stopped:
      return true;
    case S::LoggedOut:
    case S::Parked:
      return from != S::Idle;
    case S::Idle:
      return false;
    case S::Connecting:
      // A logged-out account starts over (new pairing) only when told to, through the operator.
      return from == S::Idle || from == S::Disconnected || from == S::Qr || from == S::PairingCode ||
             from == S::LoggedOut || from == S::Parked;
    case S::Qr:
    case S::PairingCode:
      return from == S::Connecting || from == S::Qr || from == S::PairingCode;
    case S::Connected:
      return from == S::Connecting;
    case S::Disconnected:
      return from == S::Connecting || from == S::Connected || from == S::Qr || from == S::PairingCode;
  }
  return false;
}

bool SessionStateMachine::moveTo(SessionState to, const std::string& reason) {
  if (!transitionAllowed(state_, to)) {
    return false;
  }
  const SessionState from = state_;
  state_ = to;
  if (observer_) {
    observer_(from, to, reason);
  }
  return true;
}

}  // namespace switchboard::whatsapp::connector
