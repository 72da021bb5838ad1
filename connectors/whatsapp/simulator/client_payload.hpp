#pragma once

// What the server needs from a ClientPayload (the plaintext of ClientFinish): either a login of a
// known companion (phone number + device) or the registration data of a new one. Parsing is
// strict, the input comes from anyone who can open a WebSocket.

#include <cstdint>
#include <string>
#include <variant>

#include "protocol/crypto.hpp"

namespace switchboard::wasim {

struct LoginPayload {
  std::uint64_t username = 0;  ///< phone number
  std::uint16_t device = 0;
  bool passive = false;
  std::string pushName;
};

/// A companion asking to be linked: the keys that become its prekey bundle, and how it describes itself.
struct RegistrationPayload {
  std::uint32_t registrationId = 0;
  whatsapp::Key32 identity{};
  std::uint32_t signedPreKeyId = 0;
  whatsapp::Key32 signedPreKey{};
  whatsapp::Signature signedPreKeySignature{};
  std::string os;        ///< DeviceProps.os, e.g. "Mac OS"
  int platformType = 0;  ///< DeviceProps.platformType (1 = Chrome)
  std::string pushName;
};

using ClientHello = std::variant<LoginPayload, RegistrationPayload>;

/// Decodes and checks a serialized ClientPayload. A registration must carry every key with its
/// exact length, key type 5, and a signed prekey whose XEdDSA signature verifies.
sdk::Result<ClientHello> parseClientPayload(whatsapp::ByteView payload);

}  // namespace switchboard::wasim
