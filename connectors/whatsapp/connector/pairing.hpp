#pragma once

// The cryptography of linking a device (wa-protocol.md 5.1): the QR code text, and the checks on
// the phone's `pair-success` (HMAC under the ADV secret, the account's XEdDSA signature) before we
// sign the device identity and answer `pair-device-sign`.

#include <string>

#include "connector/device_credentials.hpp"
#include "protocol/binary_node.hpp"

namespace switchboard::whatsapp::connector {

/// The text a phone scans: `https://wa.me/settings/linked_devices#ref,noise,identity,adv,platform`
/// (keys in standard base64 with padding), as current clients show it.
std::string qrCodeText(const std::string& ref, const DeviceCredentials& creds);

/// The refs of a `pair-device` iq, in order. Fails when there are none.
sdk::Result<std::vector<std::string>> pairDeviceRefs(const Node& iq);

/// What a verified pair-success tells us.
struct PairingResult {
  std::string jid;           ///< our device JID
  std::string lid;           ///< our LID device JID ("" when the server sent none)
  std::string platform;
  std::string businessName;
  Bytes account;             ///< ADVSignedDeviceIdentity with our device signature added
  std::uint32_t keyIndex = 0;
  Node reply;                ///< the `pair-device-sign` iq to send
};

/// Checks a `pair-success` iq strictly (whatsmeow's rules): the HMAC container under our ADV
/// secret, then the account signature over our identity key, both required to verify. Errors:
/// `whatsapp.pairing.hmac_mismatch`, `whatsapp.pairing.signature_mismatch`, `whatsapp.pairing.malformed`.
sdk::Result<PairingResult> completePairing(const Node& iq, const DeviceCredentials& creds);

/// The error iq a client answers a refused pair-success with (whatsmeow's shape).
Node pairingErrorReply(const Node& iq, const sdk::Error& error);

/// Standard base64 with padding.
std::string base64(ByteView data);
sdk::Result<Bytes> fromBase64(std::string_view text);

}  // namespace switchboard::whatsapp::connector
