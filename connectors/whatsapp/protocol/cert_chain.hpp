#pragma once

#include <cstdint>

#include "protocol/crypto.hpp"

namespace switchboard::whatsapp {

/// WhatsApp's Noise root ("WhatsAppLongTerm1", serial 0): the default trust anchor.
inline constexpr Key32 kWhatsAppRootKey = {0x14, 0x23, 0x75, 0x57, 0x4d, 0x0a, 0x58, 0x71, 0x66, 0xaa, 0xe7,
                                           0x1e, 0xbe, 0x51, 0x64, 0x37, 0xc4, 0xa2, 0x8b, 0x73, 0xe3, 0x69,
                                           0x5c, 0x6c, 0xe1, 0xf7, 0xf9, 0x54, 0x5d, 0xa8, 0xee, 0x6b};

/// The trust anchor a client checks the server's certificate chain against.
struct TrustedRoot {
  Key32 key = kWhatsAppRootKey;
  std::uint32_t serial = 0;
};

/// Validity and identity of one link of the chain (the server side's input when it issues one).
struct CertSpec {
  std::uint32_t serial = 0;
  std::uint32_t issuerSerial = 0;
  std::uint64_t notBefore = 0;
  std::uint64_t notAfter = 0;
};

/// Serialized CertChain: intermediate (signed by the root) and leaf (signed by the intermediate,
/// carrying the server's Noise static key).
Bytes issueCertChain(const KeyPair& root, const KeyPair& intermediate, const CertSpec& intermediateSpec,
                     const Key32& leafKey, const CertSpec& leafSpec);

/// A chain for a test or simulator server: root serial 0, intermediate 1, leaf 2, valid from a day
/// ago for ten years.
Bytes issueCertChain(const KeyPair& root, const KeyPair& intermediate, const Key32& leafKey, std::uint64_t now);

/// Checks a CertChain the way whatsmeow does, the stricter of the two reference clients: both
/// certificates present with 64-byte signatures that verify (intermediate by the root, leaf by the
/// intermediate), issuer serials chained to the root, both valid at `now` (unix seconds), and the
/// leaf key equal to the server's static key from the handshake.
sdk::Status verifyCertChain(ByteView chain, const TrustedRoot& root, const Key32& serverStatic, std::uint64_t now);

}  // namespace switchboard::whatsapp
