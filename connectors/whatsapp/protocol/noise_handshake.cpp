#include "protocol/noise_handshake.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "switchboard/whatsapp/wire/handshake.pb.h"

namespace switchboard::whatsapp {
namespace {

using wire::HandshakeMessage;

constexpr std::string_view kProtocolName("Noise_XX_25519_AESGCM_SHA256\0\0\0\0", 32);
static_assert(kProtocolName.size() == 32, "the name is used as the initial hash only when it is 32 bytes");

sdk::Error handshakeError(std::string what) { return protocolError("noise.handshake", std::move(what)); }

bool toKey(const std::string& s, Key32& out) {
  if (s.size() != out.size()) {
    return false;
  }
  std::memcpy(out.data(), s.data(), out.size());
  return true;
}

std::uint64_t systemNow() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace

sdk::Result<Bytes> TransportCipher::seal(ByteView plaintext) {
  if (counter_ > 0xFFFFFFFFull) {
    return protocolError("noise.exhausted", "the transport counter is used up; reconnect");
  }
  return aead_.seal(counterIv(static_cast<std::uint32_t>(counter_++)), {}, plaintext);
}

sdk::Status TransportCipher::sealInto(ByteView plaintext, std::span<std::uint8_t> out) {
  if (counter_ > 0xFFFFFFFFull) {
    return protocolError("noise.exhausted", "the transport counter is used up; reconnect");
  }
  return aead_.sealInto(counterIv(static_cast<std::uint32_t>(counter_++)), {}, plaintext, out);
}

sdk::Result<Bytes> TransportCipher::open(ByteView ciphertext) {
  if (counter_ > 0xFFFFFFFFull) {
    return protocolError("noise.exhausted", "the transport counter is used up; reconnect");
  }
  // A failed frame still consumes its counter: the stream is broken and the caller must close it.
  return aead_.open(counterIv(static_cast<std::uint32_t>(counter_++)), {}, ciphertext);
}

NoiseSymmetricState::NoiseSymmetricState(ByteView prologue) {
  std::memcpy(hash_.data(), kProtocolName.data(), hash_.size());
  chainingKey_ = hash_;
  mixHash(prologue);
}

void NoiseSymmetricState::mixHash(ByteView data) {
  Bytes buf(hash_.begin(), hash_.end());
  append(buf, data);
  hash_ = sha256(buf);
}

sdk::Status NoiseSymmetricState::mixKey(ByteView ikm) {
  std::array<std::uint8_t, 64> out{};
  hkdfSha256(ikm, chainingKey_, {}, out);
  std::copy_n(out.begin(), 32, chainingKey_.begin());
  Key32 key;
  std::copy_n(out.begin() + 32, 32, key.begin());
  aead_.emplace(key);
  counter_ = 0;
  return sdk::okStatus();
}

sdk::Status NoiseSymmetricState::mixDh(const Key32& priv, const Key32& pub) {
  auto shared = x25519(priv, pub);
  if (!shared) {
    return shared.takeError();
  }
  return mixKey(*shared);
}

sdk::Result<Bytes> NoiseSymmetricState::encrypt(ByteView plaintext) {
  if (!aead_) {
    return handshakeError("encrypt before any key was mixed in");
  }
  auto ct = aead_->seal(counterIv(counter_++), hash_, plaintext);
  if (ct) {
    mixHash(*ct);
  }
  return ct;
}

sdk::Result<Bytes> NoiseSymmetricState::decrypt(ByteView ciphertext) {
  if (!aead_) {
    return handshakeError("decrypt before any key was mixed in");
  }
  auto pt = aead_->open(counterIv(counter_++), hash_, ciphertext);
  if (pt) {
    mixHash(ciphertext);
  }
  return pt;
}

NoiseTransport NoiseSymmetricState::split(bool initiator) const {
  std::array<std::uint8_t, 64> out{};
  hkdfSha256({}, chainingKey_, {}, out);
  Key32 first;
  Key32 second;
  std::copy_n(out.begin(), 32, first.begin());
  std::copy_n(out.begin() + 32, 32, second.begin());
  // The first key protects client -> server.
  return initiator ? NoiseTransport{TransportCipher(first), TransportCipher(second)}
                   : NoiseTransport{TransportCipher(second), TransportCipher(first)};
}

// ---------------------------------------------------------------------------------------------

NoiseClientHandshake::NoiseClientHandshake(KeyPair staticKey, TrustedRoot root, ConnectionHeader header,
                                           Clock clock, std::optional<KeyPair> ephemeral)
    : static_(staticKey),
      ephemeral_(ephemeral ? *ephemeral : KeyPair::generate()),
      root_(root),
      clock_(clock ? std::move(clock) : Clock(systemNow)),
      state_(header) {
  state_.mixHash(ephemeral_.pub);
}

Bytes NoiseClientHandshake::clientHello() const {
  HandshakeMessage msg;
  msg.mutable_client_hello()->set_ephemeral(ephemeral_.pub.data(), ephemeral_.pub.size());
  return toBytes(msg.SerializeAsString());
}

sdk::Result<NoiseClientHandshake::Finish> NoiseClientHandshake::readServerHello(ByteView bytes,
                                                                              ByteView clientPayload) {
  if (done_) {
    return handshakeError("the handshake already finished");
  }
  done_ = true;  // one attempt: a failure leaves the state unusable
  HandshakeMessage msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || !msg.has_server_hello()) {
    return handshakeError("the server's first frame is not a ServerHello");
  }
  const auto& hello = msg.server_hello();
  Key32 serverEphemeral;
  if (!toKey(hello.ephemeral(), serverEphemeral)) {
    return handshakeError("the server ephemeral key is not 32 bytes");
  }
  state_.mixHash(serverEphemeral);
  SB_TRY(state_.mixDh(ephemeral_.priv, serverEphemeral));
  auto staticPlain = state_.decrypt(asBytes(hello.static_()));
  if (!staticPlain) {
    return handshakeError("the server static key does not decrypt: " + staticPlain.error().message);
  }
  Finish finish{Bytes{}, state_.split(true), Key32{}};
  if (staticPlain->size() != 32) {
    return handshakeError("the server static key is not 32 bytes");
  }
  std::copy(staticPlain->begin(), staticPlain->end(), finish.serverStatic.begin());
  SB_TRY(state_.mixDh(ephemeral_.priv, finish.serverStatic));
  auto certs = state_.decrypt(asBytes(hello.payload()));
  if (!certs) {
    return handshakeError("the certificate chain does not decrypt: " + certs.error().message);
  }
  SB_TRY(verifyCertChain(*certs, root_, finish.serverStatic, clock_()));

  auto encStatic = state_.encrypt(static_.pub);
  if (!encStatic) {
    return encStatic.takeError();
  }
  SB_TRY(state_.mixDh(static_.priv, serverEphemeral));
  auto encPayload = state_.encrypt(clientPayload);
  if (!encPayload) {
    return encPayload.takeError();
  }
  HandshakeMessage out;
  auto* cf = out.mutable_client_finish();
  cf->set_static_(encStatic->data(), encStatic->size());
  cf->set_payload(encPayload->data(), encPayload->size());
  finish.clientFinish = toBytes(out.SerializeAsString());
  finish.transport = state_.split(true);
  return finish;
}

// ---------------------------------------------------------------------------------------------

NoiseServerHandshake::NoiseServerHandshake(KeyPair staticKey, Bytes certChain, ConnectionHeader header,
                                           std::optional<KeyPair> ephemeral)
    : static_(staticKey),
      ephemeral_(ephemeral ? *ephemeral : KeyPair::generate()),
      certChain_(std::move(certChain)),
      state_(header) {}

sdk::Result<Bytes> NoiseServerHandshake::readClientHello(ByteView bytes) {
  if (step_ != Step::Hello) {
    return handshakeError("ClientHello out of order");
  }
  step_ = Step::Done;  // until this step succeeds
  HandshakeMessage msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || !msg.has_client_hello()) {
    return handshakeError("the client's first frame is not a ClientHello");
  }
  if (!toKey(msg.client_hello().ephemeral(), clientEphemeral_)) {
    return handshakeError("the client ephemeral key is not 32 bytes");
  }
  state_.mixHash(clientEphemeral_);
  state_.mixHash(ephemeral_.pub);
  SB_TRY(state_.mixDh(ephemeral_.priv, clientEphemeral_));
  auto encStatic = state_.encrypt(static_.pub);
  if (!encStatic) {
    return encStatic.takeError();
  }
  SB_TRY(state_.mixDh(static_.priv, clientEphemeral_));
  auto encCerts = state_.encrypt(certChain_);
  if (!encCerts) {
    return encCerts.takeError();
  }
  HandshakeMessage out;
  auto* sh = out.mutable_server_hello();
  sh->set_ephemeral(ephemeral_.pub.data(), ephemeral_.pub.size());
  sh->set_static_(encStatic->data(), encStatic->size());
  sh->set_payload(encCerts->data(), encCerts->size());
  step_ = Step::Finish;
  return toBytes(out.SerializeAsString());
}

sdk::Result<NoiseServerHandshake::Finish> NoiseServerHandshake::readClientFinish(ByteView bytes) {
  if (step_ != Step::Finish) {
    return handshakeError("ClientFinish out of order");
  }
  step_ = Step::Done;
  HandshakeMessage msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || !msg.has_client_finish()) {
    return handshakeError("the client's second frame is not a ClientFinish");
  }
  const auto& cf = msg.client_finish();
  auto staticPlain = state_.decrypt(asBytes(cf.static_()));
  if (!staticPlain) {
    return handshakeError("the client static key does not decrypt: " + staticPlain.error().message);
  }
  if (staticPlain->size() != 32) {
    return handshakeError("the client static key is not 32 bytes");
  }
  Key32 clientStatic;
  std::copy(staticPlain->begin(), staticPlain->end(), clientStatic.begin());
  SB_TRY(state_.mixDh(ephemeral_.priv, clientStatic));
  auto payload = state_.decrypt(asBytes(cf.payload()));
  if (!payload) {
    return handshakeError("the client payload does not decrypt: " + payload.error().message);
  }
  return Finish{clientStatic, std::move(*payload), state_.split(false)};
}

}  // namespace switchboard::whatsapp
