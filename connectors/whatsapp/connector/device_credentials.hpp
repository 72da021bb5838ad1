#pragma once

// What makes us a linked device of one WhatsApp account: our long-term keys (Noise static key,
// Signal identity, signed prekey, registration id), the secret shared with the phone during
// pairing, and, once paired, who we are (our device JID and LID) and the phone's signed statement
// vouching for us. Stored as one opaque blob that the host seals at rest.

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/crypto.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp::connector {

struct DeviceCredentials {
  KeyPair noiseKey;
  KeyPair identityKey;
  std::uint32_t registrationId = 0;
  // The current signed prekey's public half; its private half lives in the Signal store.
  std::uint32_t signedPreKeyId = 1;
  Key32 signedPreKeyPub{};
  Signature signedPreKeySignature{};  ///< XEdDSA by the identity key over 0x05 || signedPreKeyPub
  Key32 advSecret{};                   ///< HMAC key of the pairing container (QR: random; code: derived)

  // Known once paired.
  std::string jid;           ///< our device JID, "15551234567:3@s.whatsapp.net"
  std::string lid;           ///< our LID device JID, "987654321:3@lid"
  std::string platform;      ///< the phone's platform ("android", "smba" ...)
  std::string businessName;
  Bytes account;             ///< ADVSignedDeviceIdentity (details, account key and both signatures)
  std::uint32_t keyIndex = 0;

  // One-time prekeys: ids handed out so far, and how many of them the server got.
  std::uint32_t nextPreKeyId = 1;
  std::uint32_t uploadedPreKeyId = 0;  ///< highest id the server acknowledged

  /// Fresh keys for a device that has never paired (registration id in libsignal's 1..16380).
  /// The signed prekey is made separately, in the Signal store (see AccountSession).
  static DeviceCredentials generate();

  bool paired() const { return !jid.empty(); }
  /// The phone number part of our JID, "" before pairing.
  std::string user() const;
  /// Our device number, 0 before pairing.
  std::uint16_t device() const;
  /// ADVSignedDeviceIdentity as other devices receive it (without the account signature key):
  /// the `<device-identity>` of our pkmsg stanzas.
  sdk::Result<Bytes> deviceIdentityForPeers() const;

  /// Versioned JSON with hex fields.
  std::string serialize() const;
  static sdk::Result<DeviceCredentials> parse(std::string_view text);
};

/// 0x05 || pub, the form Signal signs and serializes.
Bytes djbKey(const Key32& pub);

}  // namespace switchboard::whatsapp::connector
