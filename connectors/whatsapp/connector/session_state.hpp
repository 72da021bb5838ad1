#pragma once

// The life of one account's session, as the connector reports it. Every change is an event
// (`session.state`) and a metric, so it must only move along the edges below.
//
//   idle -> connecting -> qr | pairing_code -> connecting (after the phone confirmed: restart)
//   connecting -> connected -> disconnected -> connecting ...
//   any -> logged_out (credentials removed)   any -> parked (no automatic reconnect)
//   any -> stopped (the plugin stops)

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::whatsapp::connector {

enum class SessionState { Idle, Connecting, Qr, PairingCode, Connected, Disconnected, LoggedOut, Parked, Stopped };

std::string_view toString(SessionState s);
std::optional<SessionState> parseSessionState(std::string_view name);

/// Whether the machine may go from `from` to `to` (self-transitions are not changes).
bool transitionAllowed(SessionState from, SessionState to);

/// Holds the current state and tells an observer about every change, with its reason.
class SessionStateMachine {
 public:
  using Observer = std::function<void(SessionState from, SessionState to, const std::string& reason)>;

  explicit SessionStateMachine(Observer observer) : observer_(std::move(observer)) {}

  SessionState state() const { return state_; }
  /// Moves to `to` and notifies. Returns false (and changes nothing) for an edge the diagram above
  /// does not have, or for a move to the state it is already in.
  bool moveTo(SessionState to, const std::string& reason);
  /// States the session never leaves by itself.
  bool terminal() const {
    return state_ == SessionState::LoggedOut || state_ == SessionState::Parked || state_ == SessionState::Stopped;
  }

 private:
  SessionState state_ = SessionState::Idle;
  Observer observer_;
};

}  // namespace switchboard::whatsapp::connector
