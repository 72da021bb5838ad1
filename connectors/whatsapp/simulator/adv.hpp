#pragma once

// ADV, "account device verification": the primary phone vouches for a new companion by signing
// its identity key with the account key (pair-success), and the companion countersigns
// (pair-device-sign). Both signatures are XEdDSA and are checked strictly here, as whatsmeow
// checks them; Baileys accepts any 64 bytes, so its tests alone would not catch a bad one.

#include <cstdint>

#include "protocol/crypto.hpp"

namespace switchboard::wasim {

/// What the phone signed for one companion: the pieces pair-device-sign must echo back.
struct AdvGrant {
  whatsapp::Bytes details;           ///< serialized ADVDeviceIdentity
  whatsapp::Bytes accountSignature;  ///< 64 bytes
  whatsapp::Bytes hmacContainer;     ///< serialized ADVSignedDeviceIdentityHMAC, the pair-success payload
  std::uint32_t keyIndex = 0;
};

/// Builds the device identity for pair-success. advSecret keys the HMAC (from the QR code, or
/// derived during code pairing).
AdvGrant grantDevice(const whatsapp::KeyPair& accountKey, std::uint32_t rawId, std::uint32_t keyIndex,
                     std::uint64_t timestamp, const whatsapp::Key32& companionIdentity,
                     whatsapp::ByteView advSecret);

/// Checks the companion's pair-device-sign device identity against what was granted: same details
/// and account signature, and a device signature by the companion's identity key over
/// 06 01 || details || companion identity || account key. @return the identity to hand to peers.
sdk::Result<whatsapp::Bytes> verifyDeviceSignature(whatsapp::ByteView signedIdentity, const AdvGrant& grant,
                                                    const whatsapp::Key32& accountKey,
                                                    const whatsapp::Key32& companionIdentity);

/// The companion's side of pair-device-sign: its device signature over the grant, and the
/// ADVSignedDeviceIdentity (without the account key) it sends back.
whatsapp::Bytes countersignGrant(const AdvGrant& grant, const whatsapp::KeyPair& companionIdentity,
                                 const whatsapp::Key32& accountKey);

}  // namespace switchboard::wasim
