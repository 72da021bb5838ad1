#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "protocol/bytes.hpp"
#include "protocol/crypto.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp {

/// A public key as Signal protobufs carry it: 0x05 (DJB type) then the 32 raw bytes.
using Key33 = std::array<std::uint8_t, 33>;
inline constexpr std::uint8_t kDjbKeyType = 0x05;

/// 32 -> 33 bytes (the WhatsApp wire form to the Signal form).
Key33 toSignalKey(const Key32& raw);
/// 33 -> 32 bytes; fails unless the input is 33 bytes starting with 0x05.
sdk::Result<Key32> fromSignalKey(ByteView signalKey);
/// A 32-byte key from exactly 32 bytes.
sdk::Result<Key32> key32(ByteView raw, std::string_view what);

/// One-time prekey ids are 24-bit (3 bytes on the wire) and never 0.
inline constexpr std::uint32_t kMaxPreKeyId = 0xFFFFFF;
/// The id after id, wrapping from 0xFFFFFF back to 1.
std::uint32_t nextPreKeyId(std::uint32_t id);

/// Our own device's identity: the identity key pair and the registration id.
struct LocalIdentity {
  KeyPair identity;
  std::uint32_t registrationId = 0;

  /// A fresh identity key pair and a registration id in 1..16380 (what libsignal's key helper
  /// and Baileys produce; peers may use any uint32, which we accept).
  static LocalIdentity generate();

  /// 69 bytes: version 1, registration id (4 bytes BE), public key, private key.
  Bytes serialize() const;
  static sdk::Result<LocalIdentity> parse(ByteView data);

  bool operator==(const LocalIdentity& other) const;
};

/// The public half of a one-time prekey, as uploaded and served.
struct PreKeyPublic {
  std::uint32_t id = 0;
  Key32 pub{};
  bool operator==(const PreKeyPublic&) const = default;
};

/// The public half of a signed prekey: the signature is XEdDSA by the identity key over 0x05||pub.
struct SignedPreKeyPublic {
  std::uint32_t id = 0;
  Key32 pub{};
  Signature signature{};
  bool operator==(const SignedPreKeyPublic&) const = default;
};

/// True when the signed prekey's signature verifies under identity (whatsmeow's strict rules).
bool verifySignedPreKey(const Key32& identity, const SignedPreKeyPublic& signedPreKey);

}  // namespace switchboard::whatsapp
