#include "signal/errors.hpp"

#include <array>
#include <utility>

#include <signal_protocol.h>

namespace switchboard::whatsapp {

namespace {

constexpr std::string_view kPrefix = "wa.signal.";

constexpr std::array<std::pair<SignalErrc, std::string_view>, 10> kNames{{
    {SignalErrc::DuplicateMessage, "duplicate_message"},
    {SignalErrc::NoSession, "no_session"},
    {SignalErrc::InvalidKey, "invalid_key"},
    {SignalErrc::InvalidKeyId, "invalid_key_id"},
    {SignalErrc::UntrustedIdentity, "untrusted_identity"},
    {SignalErrc::InvalidMessage, "invalid_message"},
    {SignalErrc::InvalidMac, "invalid_mac"},
    {SignalErrc::InvalidPadding, "invalid_padding"},
    {SignalErrc::Store, "store"},
    {SignalErrc::Internal, "internal"},
}};

}  // namespace

std::string_view signalErrcName(SignalErrc errc) {
  for (const auto& [e, name] : kNames) {
    if (e == errc) {
      return name;
    }
  }
  return "internal";
}

std::optional<SignalErrc> signalErrc(const sdk::Error& error) {
  std::string_view code = error.code;
  if (!code.starts_with(kPrefix)) {
    return std::nullopt;
  }
  code.remove_prefix(kPrefix.size());
  for (const auto& [e, name] : kNames) {
    if (name == code) {
      return e;
    }
  }
  return std::nullopt;
}

sdk::Error signalError(SignalErrc errc, std::string message) {
  std::string code = std::string(kPrefix) + std::string(signalErrcName(errc));
  if (errc == SignalErrc::Internal) {
    // Out of memory: nothing is wrong with the message, another attempt may succeed.
    return sdk::Error::retriable(std::move(code), std::move(message));
  }
  return sdk::Error::permanent(std::move(code), std::move(message));
}

SignalErrc signalErrcFromLibsignal(int code) {
  switch (code) {
    case SG_ERR_DUPLICATE_MESSAGE:
      return SignalErrc::DuplicateMessage;
    case SG_ERR_NO_SESSION:
      return SignalErrc::NoSession;
    case SG_ERR_INVALID_KEY:
    case SG_ERR_VRF_SIG_VERIF_FAILED:
      return SignalErrc::InvalidKey;
    case SG_ERR_INVALID_KEY_ID:
      return SignalErrc::InvalidKeyId;
    case SG_ERR_UNTRUSTED_IDENTITY:
      return SignalErrc::UntrustedIdentity;
    case SG_ERR_INVALID_MAC:
      return SignalErrc::InvalidMac;
    case SG_ERR_INVALID_MESSAGE:
    case SG_ERR_INVALID_VERSION:
    case SG_ERR_LEGACY_MESSAGE:
    case SG_ERR_STALE_KEY_EXCHANGE:
    case SG_ERR_INVALID_PROTO_BUF:
    case SG_ERR_INVAL:
      return SignalErrc::InvalidMessage;
    case SG_ERR_NOMEM:
      return SignalErrc::Internal;
    default:
      // SG_ERR_UNKNOWN and friends: the library gives up on this input (a failed AES unpadding, a
      // chain it cannot advance). Treat it as a message we cannot decrypt, never as a dead component.
      return SignalErrc::InvalidMessage;
  }
}

bool wantsRetryReceipt(const sdk::Error& error) {
  auto errc = signalErrc(error);
  if (!errc) {
    return false;
  }
  return *errc != SignalErrc::DuplicateMessage && *errc != SignalErrc::Store && *errc != SignalErrc::Internal;
}

}  // namespace switchboard::whatsapp
