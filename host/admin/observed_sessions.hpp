#pragma once

// Sessions as their `session.*` bus events describe them, for connectors that publish those events
// but do not implement sdk::SessionControl (the WhatsApp connector pairs the accounts of its
// configuration by itself). The admin API lists such sessions, reports their state and serves the
// QR code the last `session.qr` event carried; creating, code pairing and logout need
// SessionControl. Private to host/admin. Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "switchboard/sdk/session_control.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::admin {

namespace sdk = switchboard::sdk;

class ObservedSessions {
 public:
  /// Sessions kept at most; events about further accounts are ignored (a bound, not an expectation).
  static constexpr std::size_t kMaxSessions = 100000;

  /// Takes in one bus event; events other than `session.*` are ignored.
  void observe(const sdk::Event& event);

  std::vector<sdk::SessionStatus> list(const std::string& tenant) const;
  std::optional<sdk::SessionStatus> find(const std::string& tenant, const std::string& account) const;
  /// The QR code shown now; "session.not_pairing" when the session is not pairing or its last code
  /// expired, "session.not_found" when no event named the account.
  sdk::Result<sdk::PairingQr> qr(const std::string& tenant, const std::string& account, std::int64_t nowMs) const;

  /// The SessionStatus word for a connector's state word ("qr" and "pairing_code" are "pairing",
  /// "parked" and "stopped" are "disconnected", ...).
  static std::string statusWord(const std::string& connectorState, bool linked);

 private:
  struct Entry {
    sdk::SessionStatus status;
    std::optional<sdk::PairingQr> qr;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Entry> sessions_;  // (tenant, account)
};

}  // namespace switchboard::admin
