#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp {

/// What went wrong in a Signal operation, as a caller decides on it. Every error this library
/// returns carries one of these as its code (`wa.signal.<name>`); `signalErrc` reads it back.
///
/// How the connector reacts to a failed decryption:
/// - DuplicateMessage: the message was decrypted before (the ratchet already consumed its key).
///   Answer from storage: it was committed with that earlier decryption, ack it again.
/// - Store: the backing store failed (its own error class is kept, usually retriable); nothing
///   was decided about the message, try again later without acking.
/// - everything else: the message cannot be decrypted with the state we have; send a retry
///   receipt (wa-protocol.md 7.7) so the sender re-encrypts, with fresh keys from count 2 on.
enum class SignalErrc {
  DuplicateMessage,   ///< message key already used (old counter / iteration)
  NoSession,          ///< no session (or no sender key) for this address
  InvalidKey,         ///< a key is malformed, or a signed prekey signature does not verify
  InvalidKeyId,       ///< the prekey or signed prekey a pkmsg names is not in the store
  UntrustedIdentity,  ///< the identity store refused the peer's identity
  InvalidMessage,     ///< malformed, truncated, wrong version, bad signature, too far in the future
  InvalidMac,         ///< the message MAC does not verify against any session state
  InvalidPadding,     ///< the plaintext's padding is not n bytes of value n
  Store,              ///< the application's SignalStore returned an error
  Internal,           ///< out of memory (retriable), or a misuse of this library
};

/// @return the stable name used in error codes, e.g. "duplicate_message".
std::string_view signalErrcName(SignalErrc errc);

/// @return the SignalErrc an error of this library carries, or nothing for other errors.
std::optional<SignalErrc> signalErrc(const sdk::Error& error);

/// @return an error with code `wa.signal.<name>`: permanent, except Internal (retriable).
sdk::Error signalError(SignalErrc errc, std::string message);

/// Maps a libsignal-protocol-c return code (SG_ERR_*) to our classification.
SignalErrc signalErrcFromLibsignal(int code);

/// True when the connector should answer with a retry receipt (see SignalErrc).
bool wantsRetryReceipt(const sdk::Error& error);

}  // namespace switchboard::whatsapp
