#pragma once

/// @file
/// @brief Session control: what a connector plugin offers the host so operators can link and
/// manage accounts (admin API, `sbctl`, the web console). Optional: a connector that does not
/// implement it simply has no manageable sessions.
///
/// A connector provides it by deriving from SessionControl as well as from Plugin; the host finds it
/// with sdk::sessionControlOf(plugin). The class has default visibility so its type information is
/// shared between the host and plugins built with hidden visibility.
///
/// Threads: the host calls every method on the plugin's strand (the same one start(), execute()
/// and bus handlers run on), so an implementation needs no locking of its own. Calls must return
/// promptly: start long work (connecting, waiting for a scan) and report progress through
/// sessionStatus() and `session.*` events on the bus.

#include <optional>
#include <string>
#include <vector>

#include "switchboard/sdk/plugin.hpp"
#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::sdk {

/// @brief Where a session stands. `state` uses these words: "new" (no credentials yet),
/// "pairing" (waiting for a QR scan or a pairing code), "connecting", "connected",
/// "disconnected" (credentials kept, reconnecting), "logged_out" (credentials gone).
struct SessionStatus {
  TenantId tenant = kDefaultTenant;
  AccountId account;
  std::string state = "new";
  std::string jid;               ///< The linked device's address once paired.
  std::string pushName;          ///< The account's display name, when known.
  std::string detail;            ///< A sentence for humans (last error, reason of a logout).
  TimestampMs since = 0;         ///< When `state` was entered.
};

/// @brief What to show as a QR code: `code` is the exact text to encode. A fresh code replaces it
/// before `expiresAt`; callers poll pairingQr() again (or watch `session.qr` events).
struct PairingQr {
  std::string code;
  TimestampMs expiresAt = 0;
};

class __attribute__((visibility("default"))) SessionControl {
 public:
  virtual ~SessionControl() = default;

  /// @brief The sessions this connector runs for `tenant`.
  virtual Result<std::vector<SessionStatus>> listSessions(const TenantId& tenant) = 0;

  /// @brief Creates (or returns, when it exists) the session of `account` and starts it: an
  /// account without credentials enters "pairing". Code "session.exists_elsewhere" when the
  /// account belongs to another tenant.
  virtual Result<SessionStatus> createSession(const TenantId& tenant, const AccountId& account,
                                              const std::string& name) = 0;

  /// @brief The session of `account`. Code "session.not_found" when this connector does not run it.
  virtual Result<SessionStatus> sessionStatus(const TenantId& tenant, const AccountId& account) = 0;

  /// @brief The current QR code while the session is pairing. Code "session.not_pairing" otherwise.
  virtual Result<PairingQr> pairingQr(const TenantId& tenant, const AccountId& account) = 0;

  /// @brief Asks for an 8-character pairing code to type on the phone whose number is `phone`
  /// (digits, international form without '+'). Code "session.not_pairing" when already linked.
  virtual Result<std::string> requestPairingCode(const TenantId& tenant, const AccountId& account,
                                                 const std::string& phone) = 0;

  /// @brief Unlinks the device and forgets its credentials; the session ends in "logged_out".
  virtual Status logout(const TenantId& tenant, const AccountId& account) = 0;
};

/// @brief The plugin's session control, or null when it has none.
inline SessionControl* sessionControlOf(Plugin* plugin) { return dynamic_cast<SessionControl*>(plugin); }

}  // namespace switchboard::sdk
