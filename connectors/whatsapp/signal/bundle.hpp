#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "signal/keys.hpp"

namespace switchboard::whatsapp {

/// A device's prekey bundle in WhatsApp wire form (raw 32-byte keys), as a `<user>` node of a
/// prekey fetch (wa-protocol.md 6.7) or the `<keys>` of a retry receipt (7.7) carries it.
struct PreKeyBundle {
  std::uint32_t registrationId = 0;  ///< any uint32
  Key32 identity{};
  SignedPreKeyPublic signedPreKey;
  std::optional<PreKeyPublic> preKey;  ///< the one-time prekey, when the server had one left

  bool operator==(const PreKeyBundle&) const = default;
};

/// What a device uploads (6.3): registration id, identity, current signed prekey, a batch of
/// one-time prekeys.
struct PreKeyUpload {
  std::uint32_t registrationId = 0;
  Key32 identity{};
  SignedPreKeyPublic signedPreKey;
  std::vector<PreKeyPublic> preKeys;

  bool operator==(const PreKeyUpload&) const = default;
};

}  // namespace switchboard::whatsapp
