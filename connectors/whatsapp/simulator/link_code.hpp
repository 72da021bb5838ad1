#pragma once

// Pairing-code linking (the 8-character code a companion shows and the user types on the phone).
// Both sides wrap an ephemeral X25519 key under PBKDF2(code); the companion then sends its
// identity and a random value encrypted under the ephemeral agreement, and both derive the ADV
// secret from it. The phone side is the simulator's; the companion side is here for our own test
// client.

#include <string>
#include <string_view>

#include "protocol/crypto.hpp"

namespace switchboard::wasim {

/// Upper-cases and drops dashes and spaces ("abcd-efgh" -> "ABCDEFGH"); 8 characters of
/// Crockford's alphabet without 0, I, O, U or an error.
sdk::Result<std::string> normalizeLinkCode(std::string_view code);

/// salt(32) || iv(16) || AES-256-CTR(PBKDF2-SHA256(code, salt, 131072), iv, key): 80 bytes.
whatsapp::Bytes wrapLinkCodeKey(std::string_view code, const whatsapp::Key32& key);
sdk::Result<whatsapp::Key32> unwrapLinkCodeKey(std::string_view code, whatsapp::ByteView wrapped);

/// Phone side of companion_finish: opens the key bundle (bundleSalt(32) || nonce(12) ||
/// AES-GCM(companion identity || primary identity || random)), checks both identities, and
/// derives the ADV secret.
sdk::Result<whatsapp::Bytes> openLinkCodeBundle(const whatsapp::KeyPair& primaryEphemeral,
                                                const whatsapp::Key32& companionEphemeral,
                                                const whatsapp::KeyPair& primaryIdentity,
                                                const whatsapp::Key32& companionIdentity,
                                                whatsapp::ByteView wrappedBundle);

/// Companion side of companion_finish (for tests): the wrapped bundle and the ADV secret.
struct LinkCodeFinish {
  whatsapp::Bytes wrappedBundle;
  whatsapp::Bytes advSecret;
};
sdk::Result<LinkCodeFinish> sealLinkCodeBundle(const whatsapp::KeyPair& companionEphemeral,
                                               const whatsapp::Key32& primaryEphemeral,
                                               const whatsapp::KeyPair& companionIdentity,
                                               const whatsapp::Key32& primaryIdentity);

}  // namespace switchboard::wasim
