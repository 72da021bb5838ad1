#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "protocol/bytes.hpp"

namespace switchboard::whatsapp {

using Key32 = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

/// A Curve25519 key pair (raw 32-byte public key, clamped 32-byte private scalar).
struct KeyPair {
  Key32 pub{};
  Key32 priv{};

  static KeyPair generate();
  /// Derives the public key; the private key is clamped first, as X25519 does implicitly.
  static KeyPair fromPrivate(const Key32& priv);
};

/// X25519. Fails when the peer key is of small order (the shared secret would be all zeros).
sdk::Result<Key32> x25519(const Key32& priv, const Key32& peerPub);

Key32 sha256(ByteView data);
Key32 hmacSha256(ByteView key, ByteView data);
/// HKDF-SHA256 (RFC 5869) with an empty salt meaning 32 zero bytes.
void hkdfSha256(ByteView ikm, ByteView salt, ByteView info, std::span<std::uint8_t> out);
void randomBytes(std::span<std::uint8_t> out);

/// XEdDSA signatures over Curve25519 keys, as Signal and WhatsApp use them. Verification follows
/// libsignal's rules: the Edwards sign bit travels in the signature's last bit, the Montgomery
/// key must be reduced, and the rest is a strict Ed25519 verification.
Signature xeddsaSign(const Key32& priv, ByteView message);
bool xeddsaVerify(const Key32& pub, ByteView message, const Signature& signature);
bool xeddsaVerify(const Key32& pub, ByteView message, ByteView signature);

/// AES-256-GCM with one key, reused for many messages (the key schedule is done once).
class AesGcm {
 public:
  explicit AesGcm(const Key32& key);
  ~AesGcm();
  AesGcm(AesGcm&&) noexcept;
  AesGcm& operator=(AesGcm&&) noexcept;
  AesGcm(const AesGcm&) = delete;
  AesGcm& operator=(const AesGcm&) = delete;

  /// @return ciphertext || 16-byte tag
  sdk::Result<Bytes> seal(const std::array<std::uint8_t, 12>& iv, ByteView aad, ByteView plaintext);
  /// Writes ciphertext || tag into out, which must hold plaintext.size() + 16 bytes (the transport
  /// seals many frames into one buffer this way, without an allocation per frame).
  sdk::Status sealInto(const std::array<std::uint8_t, 12>& iv, ByteView aad, ByteView plaintext,
                       std::span<std::uint8_t> out);
  /// @return the plaintext, or an error when the tag does not verify
  sdk::Result<Bytes> open(const std::array<std::uint8_t, 12>& iv, ByteView aad, ByteView sealed);

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

/// The IV both Noise phases use: 8 zero bytes and a big-endian 32-bit counter.
std::array<std::uint8_t, 12> counterIv(std::uint32_t counter);

}  // namespace switchboard::whatsapp
