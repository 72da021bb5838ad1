#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>

#include "protocol/cert_chain.hpp"
#include "protocol/crypto.hpp"

namespace switchboard::whatsapp {

/// The connection header ("intro") a client sends once, also the Noise prologue: 'W' 'A' 6 <dict>.
using ConnectionHeader = std::array<std::uint8_t, 4>;
inline constexpr ConnectionHeader kConnectionHeaderV3 = {'W', 'A', 6, 3};

/// One direction of the transport phase: AES-256-GCM, empty AAD, IV = 8 zero bytes + counter.
/// A counter never wraps: after 2^32 frames the direction refuses to go on.
class TransportCipher {
 public:
  explicit TransportCipher(const Key32& key) : aead_(key) {}
  sdk::Result<Bytes> seal(ByteView plaintext);
  /// As seal(), into out (plaintext.size() + 16 bytes), so frames can be sealed in place.
  sdk::Status sealInto(ByteView plaintext, std::span<std::uint8_t> out);
  sdk::Result<Bytes> open(ByteView ciphertext);
  std::uint64_t counter() const { return counter_; }

 private:
  AesGcm aead_;
  std::uint64_t counter_ = 0;
};

/// The keys that come out of a completed handshake, one cipher per direction.
struct NoiseTransport {
  TransportCipher send;
  TransportCipher receive;
};

/// Noise_XX_25519_AESGCM_SHA256 as WhatsApp runs it: the protocol name is the initial hash, the
/// connection header and the client's ephemeral key are mixed in first, and one counter serves
/// encryption and decryption until the next mixKey.
class NoiseSymmetricState {
 public:
  explicit NoiseSymmetricState(ByteView prologue);
  void mixHash(ByteView data);
  sdk::Status mixKey(ByteView ikm);
  sdk::Status mixDh(const Key32& priv, const Key32& pub);
  sdk::Result<Bytes> encrypt(ByteView plaintext);
  sdk::Result<Bytes> decrypt(ByteView ciphertext);
  NoiseTransport split(bool initiator) const;
  const Key32& handshakeHash() const { return hash_; }

 private:
  Key32 hash_{};
  Key32 chainingKey_{};
  std::optional<AesGcm> aead_;
  std::uint32_t counter_ = 0;
};

/// Client (initiator) side: clientHello() -> readServerHello() -> ClientFinish frame + transport.
class NoiseClientHandshake {
 public:
  using Clock = std::function<std::uint64_t()>;  ///< unix seconds, for certificate validity

  NoiseClientHandshake(KeyPair staticKey, TrustedRoot root, ConnectionHeader header = kConnectionHeaderV3,
                       Clock clock = {}, std::optional<KeyPair> ephemeral = std::nullopt);

  /// @return the serialized HandshakeMessage{clientHello} (frame payload, without the header)
  Bytes clientHello() const;

  struct Finish {
    Bytes clientFinish;  ///< serialized HandshakeMessage{clientFinish}
    NoiseTransport transport;
    Key32 serverStatic;
  };
  /// Processes the ServerHello, verifies the certificate chain and encrypts the ClientPayload.
  sdk::Result<Finish> readServerHello(ByteView handshakeMessage, ByteView clientPayload);

 private:
  KeyPair static_;
  KeyPair ephemeral_;
  TrustedRoot root_;
  Clock clock_;
  NoiseSymmetricState state_;
  bool done_ = false;
};

/// Server (responder) side: readClientHello() -> ServerHello frame; readClientFinish() -> the
/// client's static key, its ClientPayload bytes and the transport.
class NoiseServerHandshake {
 public:
  /// @param certChain serialized CertChain whose leaf key is staticKey.pub
  /// @param header the connection header the client sent (it is the prologue)
  NoiseServerHandshake(KeyPair staticKey, Bytes certChain, ConnectionHeader header,
                       std::optional<KeyPair> ephemeral = std::nullopt);

  sdk::Result<Bytes> readClientHello(ByteView handshakeMessage);

  struct Finish {
    Key32 clientStatic;
    Bytes clientPayload;  ///< serialized ClientPayload
    NoiseTransport transport;
  };
  sdk::Result<Finish> readClientFinish(ByteView handshakeMessage);

 private:
  enum class Step { Hello, Finish, Done };
  KeyPair static_;
  KeyPair ephemeral_;
  Bytes certChain_;
  NoiseSymmetricState state_;
  Key32 clientEphemeral_{};
  Step step_ = Step::Hello;
};

}  // namespace switchboard::whatsapp
