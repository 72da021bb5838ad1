#pragma once

// The QR code a companion shows while it waits to be linked:
//   [https://wa.me/settings/linked_devices#]ref,base64(noise key),base64(identity key),base64(ADV secret)[,platform]
// The simulated phone "scans" it: the ref finds the waiting connection, the keys prove it is the
// same client, and the ADV secret keys the HMAC of the device identity it hands out.

#include <string>
#include <string_view>

#include "protocol/crypto.hpp"

namespace switchboard::wasim {

struct QrCode {
  std::string ref;
  whatsapp::Key32 noiseKey{};
  whatsapp::Key32 identityKey{};
  whatsapp::Bytes advSecret;  ///< 32 bytes
  std::string platform;       ///< "1" (Chrome) etc.; empty for Baileys 6, which omits it
};

sdk::Result<QrCode> parseQrCode(std::string_view text);

}  // namespace switchboard::wasim
