#pragma once

// The ClientPayload we send inside the Noise handshake (wa-protocol.md 3): a registration payload
// for a device that has not paired yet, a login payload for one that has.

#include <string>

#include "connector/device_credentials.hpp"
#include "protocol/bytes.hpp"

namespace switchboard::whatsapp::connector {

/// The web client version we announce; the build hash is MD5 of its dotted form.
struct ClientVersion {
  std::uint32_t primary = 2, secondary = 3000, tertiary = 1043857760;
};

/// Companion platform as the phone lists it, and as the QR code's last field names it.
inline constexpr int kCompanionPlatformChrome = 1;

struct PayloadOptions {
  std::string deviceName = "Switchboard";  ///< DeviceProps.os: what the phone shows
  std::string pushName;
  bool reconnect = false;  ///< connect reason: an automatic reconnect rather than a first start
  ClientVersion version;
};

/// Registration payload: our registration id, identity, signed prekey and device properties.
Bytes registrationPayload(const DeviceCredentials& creds, const PayloadOptions& options);
/// Login payload: our phone number and device number, passive, pull. @pre creds.paired()
Bytes loginPayload(const DeviceCredentials& creds, const PayloadOptions& options);

}  // namespace switchboard::whatsapp::connector
