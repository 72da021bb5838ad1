// Noise XX handshake, certificate chain and XEdDSA: both sides of ours against each other, XEdDSA
// against libsignal-protocol-c (an independent implementation), and forged inputs that must fail.
#include <gtest/gtest.h>

extern "C" {
#include <curve.h>
#include <signal_protocol.h>
}

#include <random>

#include "protocol/cert_chain.hpp"
#include "protocol/noise_handshake.hpp"
#include "switchboard/whatsapp/wire/handshake.pb.h"

namespace wa = switchboard::whatsapp;

namespace {

constexpr std::uint64_t kNow = 1'800'000'000;

// libsignal-protocol-c, set up just far enough to sign and verify.
class Libsignal {
 public:
  Libsignal() {
    signal_context_create(&ctx_, nullptr);
    // Signing needs only randomness; the other callbacks must exist but are never called here.
    signal_crypto_provider provider{};
    provider.random_func = [](std::uint8_t* data, std::size_t len, void*) {
      wa::randomBytes({data, len});
      return 0;
    };
    provider.hmac_sha256_init_func = [](void**, const std::uint8_t*, std::size_t, void*) { return -1; };
    provider.hmac_sha256_update_func = [](void*, const std::uint8_t*, std::size_t, void*) { return -1; };
    provider.hmac_sha256_final_func = [](void*, signal_buffer**, void*) { return -1; };
    provider.hmac_sha256_cleanup_func = [](void*, void*) {};
    provider.sha512_digest_init_func = [](void**, void*) { return -1; };
    provider.sha512_digest_update_func = [](void*, const std::uint8_t*, std::size_t, void*) { return -1; };
    provider.sha512_digest_final_func = [](void*, signal_buffer**, void*) { return -1; };
    provider.sha512_digest_cleanup_func = [](void*, void*) {};
    provider.encrypt_func = [](signal_buffer**, int, const std::uint8_t*, std::size_t, const std::uint8_t*, std::size_t,
                               const std::uint8_t*, std::size_t, void*) { return -1; };
    provider.decrypt_func = [](signal_buffer**, int, const std::uint8_t*, std::size_t, const std::uint8_t*, std::size_t,
                               const std::uint8_t*, std::size_t, void*) { return -1; };
    EXPECT_EQ(signal_context_set_crypto_provider(ctx_, &provider), 0);
  }
  ~Libsignal() { signal_context_destroy(ctx_); }

  bool verify(const wa::Key32& pub, wa::ByteView msg, const wa::Signature& sig) {
    std::uint8_t encoded[33];
    encoded[0] = 0x05;
    std::copy(pub.begin(), pub.end(), encoded + 1);
    ec_public_key* key = nullptr;
    if (curve_decode_point(&key, encoded, sizeof encoded, ctx_) != 0) {
      return false;
    }
    int rc = curve_verify_signature(key, msg.data(), msg.size(), sig.data(), sig.size());
    SIGNAL_UNREF(key);
    return rc == 1;
  }

  wa::Signature sign(const wa::Key32& priv, wa::ByteView msg) {
    ec_private_key* key = nullptr;
    EXPECT_EQ(curve_decode_private_point(&key, priv.data(), priv.size(), ctx_), 0);
    signal_buffer* out = nullptr;
    EXPECT_EQ(curve_calculate_signature(ctx_, &out, key, msg.data(), msg.size()), 0);
    wa::Signature sig{};
    std::copy_n(signal_buffer_data(out), 64, sig.begin());
    signal_buffer_free(out);
    SIGNAL_UNREF(key);
    return sig;
  }

 private:
  signal_context* ctx_ = nullptr;
};

struct Pki {
  wa::KeyPair root = wa::KeyPair::generate();
  wa::KeyPair intermediate = wa::KeyPair::generate();
  wa::KeyPair server = wa::KeyPair::generate();
  wa::TrustedRoot trusted{root.pub, 0};
  wa::Bytes chain = wa::issueCertChain(root, intermediate, server.pub, kNow);
};

struct HandshakeOutcome {
  std::optional<wa::NoiseClientHandshake::Finish> client;
  std::optional<wa::NoiseServerHandshake::Finish> server;
  std::string error;
};

HandshakeOutcome runHandshake(const Pki& pki, const wa::Bytes& chain, wa::ByteView payload,
                              const std::function<void(wa::Bytes&)>& tamperServerHello = {}) {
  HandshakeOutcome out;
  wa::KeyPair clientStatic = wa::KeyPair::generate();
  wa::NoiseClientHandshake client(clientStatic, pki.trusted, wa::kConnectionHeaderV3, [] { return kNow; });
  wa::NoiseServerHandshake server(pki.server, chain, wa::kConnectionHeaderV3);
  auto hello = server.readClientHello(client.clientHello());
  if (!hello) {
    out.error = hello.error().describe();
    return out;
  }
  if (tamperServerHello) {
    tamperServerHello(*hello);
  }
  auto cf = client.readServerHello(*hello, payload);
  if (!cf) {
    out.error = cf.error().describe();
    return out;
  }
  auto sf = server.readClientFinish(cf->clientFinish);
  if (!sf) {
    out.error = sf.error().describe();
    return out;
  }
  EXPECT_EQ(sf->clientStatic, clientStatic.pub);
  out.client.emplace(std::move(*cf));
  out.server.emplace(std::move(*sf));
  return out;
}

}  // namespace

TEST(WaXEdDSA, OursAndLibsignalAgree) {
  Libsignal ls;
  std::mt19937 rng(7);
  for (int i = 0; i < 40; ++i) {
    auto kp = wa::KeyPair::generate();
    wa::Bytes msg(rng() % 200);
    for (auto& b : msg) {
      b = static_cast<std::uint8_t>(rng());
    }
    auto ours = wa::xeddsaSign(kp.priv, msg);
    EXPECT_TRUE(wa::xeddsaVerify(kp.pub, msg, ours));
    EXPECT_TRUE(ls.verify(kp.pub, msg, ours)) << "libsignal rejects our signature " << i;
    auto theirs = ls.sign(kp.priv, msg);
    EXPECT_TRUE(wa::xeddsaVerify(kp.pub, msg, theirs)) << "we reject libsignal's signature " << i;
    // Forgeries: any flipped bit in signature, message or key fails.
    auto bad = ours;
    bad[rng() % 64] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
    EXPECT_FALSE(wa::xeddsaVerify(kp.pub, msg, bad));
    EXPECT_FALSE(ls.verify(kp.pub, msg, bad));
    if (!msg.empty()) {
      auto badMsg = msg;
      badMsg[rng() % badMsg.size()] ^= 1;
      EXPECT_FALSE(wa::xeddsaVerify(kp.pub, badMsg, ours));
    }
    auto other = wa::KeyPair::generate();
    EXPECT_FALSE(wa::xeddsaVerify(other.pub, msg, ours));
  }
  // Random 64 bytes (what Baileys would accept) never verify; neither do wrong lengths.
  auto kp = wa::KeyPair::generate();
  wa::Signature junk{};
  wa::randomBytes(junk);
  EXPECT_FALSE(wa::xeddsaVerify(kp.pub, wa::asBytes("x"), junk));
  EXPECT_FALSE(wa::xeddsaVerify(kp.pub, wa::asBytes("x"), wa::ByteView(junk.data(), 63)));
  // A public key that is not reduced mod p is refused, as libsignal does.
  wa::Key32 unreduced;
  unreduced.fill(0xFF);
  unreduced[31] = 0x7F;
  EXPECT_FALSE(wa::xeddsaVerify(unreduced, wa::asBytes("x"), wa::xeddsaSign(kp.priv, wa::asBytes("x"))));
}

TEST(WaHkdf, Rfc5869Case1) {
  wa::Bytes ikm(22, 0x0b);
  wa::Bytes salt{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c};
  wa::Bytes info{0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9};
  std::array<std::uint8_t, 42> okm{};
  wa::hkdfSha256(ikm, salt, info, okm);
  EXPECT_EQ(wa::toHex(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(WaNoise, ClientAndServerAgree) {
  Pki pki;
  wa::Bytes payload = wa::toBytes("client payload bytes");
  auto r = runHandshake(pki, pki.chain, payload);
  ASSERT_TRUE(r.client && r.server) << r.error;
  EXPECT_EQ(r.server->clientPayload, payload);
  EXPECT_EQ(r.client->serverStatic, pki.server.pub);
  // Transport: each direction has its own key and counter; frames decrypt in order only.
  for (int i = 0; i < 5; ++i) {
    auto up = r.client->transport.send.seal(wa::toBytes("up " + std::to_string(i)));
    ASSERT_TRUE(up.ok());
    auto got = r.server->transport.receive.open(*up);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(wa::asChars(*got), "up " + std::to_string(i));
    auto down = r.server->transport.send.seal(wa::toBytes("down"));
    ASSERT_TRUE(down.ok());
    ASSERT_TRUE(r.client->transport.receive.open(*down).ok());
  }
  EXPECT_EQ(r.client->transport.send.counter(), 5u);
  // A replayed frame fails (its counter is behind), and so does a tampered one.
  auto frame = r.client->transport.send.seal(wa::toBytes("once"));
  ASSERT_TRUE(r.server->transport.receive.open(*frame).ok());
  EXPECT_FALSE(r.server->transport.receive.open(*frame).ok());
  auto other = r.server->transport.send.seal(wa::toBytes("x"));
  (*other)[0] ^= 1;
  EXPECT_FALSE(r.client->transport.receive.open(*other).ok());
}

TEST(WaNoise, WireShapes) {
  // Given ephemerals are used as given, and the messages have the sizes the reference clients
  // expect (the byte-level agreement with independent code is the Baileys handshake test's job).
  auto key = [](std::uint8_t fill) {
    wa::Key32 k;
    k.fill(fill);
    return wa::KeyPair::fromPrivate(k);
  };
  Pki pki;
  wa::NoiseClientHandshake client(key(1), pki.trusted, wa::kConnectionHeaderV3, [] { return kNow; }, key(2));
  wa::NoiseServerHandshake server(pki.server, pki.chain, wa::kConnectionHeaderV3, key(3));
  auto hello = server.readClientHello(client.clientHello());
  ASSERT_TRUE(hello.ok());
  switchboard::whatsapp::wire::HandshakeMessage msg;
  ASSERT_TRUE(msg.ParseFromArray(hello->data(), static_cast<int>(hello->size())));
  const auto serverEphemeral = key(3).pub;
  EXPECT_EQ(msg.server_hello().ephemeral(), std::string(serverEphemeral.begin(), serverEphemeral.end()));
  EXPECT_EQ(msg.server_hello().static_().size(), 48u);  // 32-byte key + 16-byte tag
  auto cf = client.readServerHello(*hello, wa::toBytes("p"));
  ASSERT_TRUE(cf.ok()) << cf.error().describe();
  ASSERT_TRUE(msg.ParseFromArray(cf->clientFinish.data(), static_cast<int>(cf->clientFinish.size())));
  EXPECT_EQ(msg.client_finish().static_().size(), 48u);
  EXPECT_EQ(msg.client_finish().payload().size(), 17u);
}

TEST(WaNoise, ForgedOrWrongChainsAreRefused) {
  Pki pki;
  wa::Bytes payload = wa::toBytes("p");
  using wa::wire::CertChain;
  auto mutate = [&](const std::function<void(CertChain&)>& f) {
    CertChain c;
    EXPECT_TRUE(c.ParseFromArray(pki.chain.data(), static_cast<int>(pki.chain.size())));
    f(c);
    return wa::toBytes(c.SerializeAsString());
  };
  auto resign = [](CertChain::NoiseCertificate* cert, const wa::KeyPair& by,
                   const std::function<void(CertChain::NoiseCertificate::Details&)>& f) {
    CertChain::NoiseCertificate::Details d;
    d.ParseFromString(cert->details());
    f(d);
    cert->set_details(d.SerializeAsString());
    auto sig = wa::xeddsaSign(by.priv, wa::asBytes(cert->details()));
    cert->set_signature(sig.data(), sig.size());
  };
  wa::KeyPair stranger = wa::KeyPair::generate();

  struct Case {
    const char* name;
    wa::Bytes chain;
  };
  std::vector<Case> cases{
      {"random intermediate signature (Baileys accepts this)", mutate([](CertChain& c) {
         std::string junk(64, '\0');
         wa::randomBytes({reinterpret_cast<std::uint8_t*>(junk.data()), junk.size()});
         c.mutable_intermediate()->set_signature(junk);
       })},
      {"random leaf signature", mutate([](CertChain& c) { c.mutable_leaf()->mutable_signature()->at(5) ^= 0x40; })},
      {"intermediate signed by a stranger", wa::issueCertChain(stranger, pki.intermediate, pki.server.pub, kNow)},
      {"leaf signed by the root instead of the intermediate", mutate([&](CertChain& c) {
         resign(c.mutable_leaf(), pki.root, [](auto&) {});
       })},
      {"leaf key is not the server static key", wa::issueCertChain(pki.root, pki.intermediate, stranger.pub, kNow)},
      {"expired intermediate", mutate([&](CertChain& c) {
         resign(c.mutable_intermediate(), pki.root, [](auto& d) { d.set_not_after(kNow - 1); });
       })},
      {"leaf not yet valid", mutate([&](CertChain& c) {
         resign(c.mutable_leaf(), pki.intermediate, [](auto& d) { d.set_not_before(kNow + 10); });
       })},
      {"intermediate issuer serial is not the root's", mutate([&](CertChain& c) {
         resign(c.mutable_intermediate(), pki.root, [](auto& d) { d.set_issuer_serial(7); });
       })},
      {"leaf issuer serial does not name the intermediate", mutate([&](CertChain& c) {
         resign(c.mutable_leaf(), pki.intermediate, [](auto& d) { d.set_issuer_serial(9); });
       })},
      {"short signature", mutate([](CertChain& c) { c.mutable_leaf()->mutable_signature()->resize(63); })},
      {"missing intermediate", mutate([](CertChain& c) { c.clear_intermediate(); })},
      {"not a chain at all", wa::toBytes("\xff\xff\xff")},
  };
  for (const auto& c : cases) {
    auto r = runHandshake(pki, c.chain, payload);
    EXPECT_FALSE(r.client) << c.name;
    EXPECT_NE(r.error.find("noise."), std::string::npos) << c.name << ": " << r.error;
  }
  // The default trust anchor is WhatsApp's: a client left at the default refuses our test root.
  wa::NoiseClientHandshake client(wa::KeyPair::generate(), wa::TrustedRoot{}, wa::kConnectionHeaderV3,
                                  [] { return kNow; });
  wa::NoiseServerHandshake server(pki.server, pki.chain, wa::kConnectionHeaderV3);
  auto hello = server.readClientHello(client.clientHello());
  ASSERT_TRUE(hello.ok());
  EXPECT_FALSE(client.readServerHello(*hello, payload).ok());
}

TEST(WaNoise, TamperedAndMalformedMessagesFail) {
  Pki pki;
  wa::Bytes payload = wa::toBytes("p");
  // Any change to the ServerHello breaks the handshake.
  std::mt19937 rng(3);
  for (int i = 0; i < 50; ++i) {
    auto r = runHandshake(pki, pki.chain, payload, [&](wa::Bytes& b) { b[rng() % b.size()] ^= 1u << (rng() % 8); });
    EXPECT_FALSE(r.client && r.server) << i;
  }
  // A different prologue (connection header) on each side means no agreement.
  wa::NoiseClientHandshake client(wa::KeyPair::generate(), pki.trusted, {'W', 'A', 6, 2}, [] { return kNow; });
  wa::NoiseServerHandshake server(pki.server, pki.chain, wa::kConnectionHeaderV3);
  auto hello = server.readClientHello(client.clientHello());
  ASSERT_TRUE(hello.ok());
  EXPECT_FALSE(client.readServerHello(*hello, payload).ok());
  // Garbage and out-of-order messages are errors, not crashes.
  wa::NoiseServerHandshake s2(pki.server, pki.chain, wa::kConnectionHeaderV3);
  EXPECT_FALSE(s2.readClientFinish(wa::toBytes("x")).ok());
  wa::NoiseServerHandshake s3(pki.server, pki.chain, wa::kConnectionHeaderV3);
  EXPECT_FALSE(s3.readClientHello(wa::toBytes("\x12\x02\x0a\x00")).ok());  // ephemeral of 0 bytes
  // A small-order client ephemeral (all zeros) is refused rather than giving a zero secret.
  wa::wire::HandshakeMessage weak;
  weak.mutable_client_hello()->set_ephemeral(std::string(32, '\0'));
  wa::NoiseServerHandshake s4(pki.server, pki.chain, wa::kConnectionHeaderV3);
  EXPECT_FALSE(s4.readClientHello(wa::toBytes(weak.SerializeAsString())).ok());
}
