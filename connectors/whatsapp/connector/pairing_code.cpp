#include "connector/pairing_code.hpp"

#include <openssl/evp.h>

#include <memory>

#include "connector/client_payload.hpp"
#include "connector/stanza.hpp"

namespace switchboard::whatsapp::connector {

namespace {

constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTVWXYZ";
constexpr int kPbkdf2Iterations = 2 << 16;
constexpr std::size_t kWrappedSize = 32 + 16 + 32;

Key32 pbkdf2(const std::string& code, ByteView salt) {
  Key32 out{};
  PKCS5_PBKDF2_HMAC(code.data(), static_cast<int>(code.size()), salt.data(), static_cast<int>(salt.size()),
                    kPbkdf2Iterations, EVP_sha256(), static_cast<int>(out.size()), out.data());
  return out;
}

Bytes aesCtr(const Key32& key, ByteView iv, ByteView data) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  Bytes out(data.size());
  int len = 0;
  // CTR mode has no failure path once the context exists; a failure here is an allocation error.
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_ctr(), nullptr, key.data(), iv.data()) != 1 ||
      EVP_EncryptUpdate(ctx.get(), out.data(), &len, data.data(), static_cast<int>(data.size())) != 1) {
    throw std::bad_alloc();
  }
  return out;
}

const Bytes* regBytes(const Node& reg, std::string_view tag) { return childBytes(reg, tag); }

}  // namespace

std::string generatePairingCode() {
  std::array<std::uint8_t, 5> random{};
  randomBytes(random);
  std::uint64_t bits = 0;
  for (auto b : random) {
    bits = (bits << 8) | b;
  }
  std::string code;
  for (int i = 7; i >= 0; --i) {
    code += kAlphabet[(bits >> (5 * i)) & 0x1f];
  }
  return code;
}

Bytes wrapWithCode(const std::string& code, const Key32& key) {
  Bytes out(48);
  randomBytes(out);
  const ByteView salt(out.data(), 32), iv(out.data() + 32, 16);
  const Bytes ct = aesCtr(pbkdf2(code, salt), iv, key);
  append(out, ct);
  return out;
}

sdk::Result<Key32> unwrapWithCode(const std::string& code, ByteView wrapped) {
  if (wrapped.size() != kWrappedSize) {
    return sdk::Error::permanent("whatsapp.pairing.malformed",
                                 "a code-wrapped key must be 80 bytes, got " + std::to_string(wrapped.size()));
  }
  const Bytes plain = aesCtr(pbkdf2(code, wrapped.subspan(0, 32)), wrapped.subspan(32, 16), wrapped.subspan(48));
  Key32 key{};
  std::copy(plain.begin(), plain.end(), key.begin());
  return key;
}

CodePairing::CodePairing(std::string phone, std::string code)
    : phone_(std::move(phone)), code_(std::move(code)), ephemeral_(KeyPair::generate()) {}

Node CodePairing::helloRequest(const std::string& id, const DeviceCredentials& creds,
                               const std::string& deviceName) const {
  Node reg("link_code_companion_reg",
           {{"jid", phone_ + "@s.whatsapp.net"}, {"stage", "companion_hello"}, {"should_show_push_notification", "true"}},
           Node::Children{
               Node("link_code_pairing_wrapped_companion_ephemeral_pub", {}, wrapWithCode(code_, ephemeral_.pub)),
               Node("companion_server_auth_key_pub", {}, Bytes(creds.noiseKey.pub.begin(), creds.noiseKey.pub.end())),
               Node("companion_platform_id", {}, std::to_string(kCompanionPlatformChrome)),
               Node("companion_platform_display", {}, "Chrome (" + deviceName + ")"),
               Node("link_code_pairing_nonce", {}, std::string("0")),
           });
  return iq(id, "set", "md", Node::Children{std::move(reg)});
}

sdk::Result<Node> CodePairing::onPrimaryHello(const Node& notification, const std::string& id,
                                              DeviceCredentials& creds) {
  const Node* reg = notification.child("link_code_companion_reg");
  if (reg == nullptr) {
    return sdk::Error::permanent("whatsapp.pairing.malformed", "notification without <link_code_companion_reg>");
  }
  const Bytes* ref = regBytes(*reg, "link_code_pairing_ref");
  const Bytes* primaryIdentity = regBytes(*reg, "primary_identity_pub");
  const Bytes* wrapped = regBytes(*reg, "link_code_pairing_wrapped_primary_ephemeral_pub");
  if (ref == nullptr || primaryIdentity == nullptr || primaryIdentity->size() != 32 || wrapped == nullptr) {
    return sdk::Error::permanent("whatsapp.pairing.malformed",
                                 "link_code_companion_reg needs a ref, a 32-byte primary identity and a wrapped key");
  }
  auto primaryEphemeral = unwrapWithCode(code_, *wrapped);
  SB_TRY(primaryEphemeral);
  auto shared = x25519(ephemeral_.priv, primaryEphemeral.value());
  if (!shared.ok()) {
    return sdk::Error::permanent("whatsapp.pairing.code_mismatch",
                                 "the phone's key does not unwrap under our code (wrong code typed?)");
  }
  Key32 primaryKey{};
  std::copy(primaryIdentity->begin(), primaryIdentity->end(), primaryKey.begin());

  // The key bundle tells the phone our identity, its identity as we saw it, and randomness for
  // the ADV secret, encrypted under the code-authenticated ephemeral agreement.
  Bytes bundleSalt(32);
  randomBytes(bundleSalt);
  Key32 bundleKey{};
  hkdfSha256(shared.value(), bundleSalt, asBytes("link_code_pairing_key_bundle_encryption_key"), bundleKey);
  Key32 advRandom{};
  randomBytes(advRandom);
  Bytes plaintext;
  append(plaintext, creds.identityKey.pub);
  append(plaintext, primaryKey);
  append(plaintext, advRandom);
  std::array<std::uint8_t, 12> nonce{};
  randomBytes(nonce);
  auto sealed = AesGcm(bundleKey).seal(nonce, {}, plaintext);
  SB_TRY(sealed);
  Bytes wrappedBundle = bundleSalt;
  append(wrappedBundle, nonce);
  append(wrappedBundle, sealed.value());

  auto identityShared = x25519(creds.identityKey.priv, primaryKey);
  if (!identityShared.ok()) {
    return sdk::Error::permanent("whatsapp.pairing.malformed", "the phone's identity key is of small order");
  }
  Bytes secretInput;
  append(secretInput, shared.value());
  append(secretInput, identityShared.value());
  append(secretInput, advRandom);
  hkdfSha256(secretInput, {}, asBytes("adv_secret"), creds.advSecret);

  Node finish("link_code_companion_reg", {{"jid", phone_ + "@s.whatsapp.net"}, {"stage", "companion_finish"}},
              Node::Children{
                  Node("link_code_pairing_wrapped_key_bundle", {}, std::move(wrappedBundle)),
                  Node("companion_identity_public", {},
                       Bytes(creds.identityKey.pub.begin(), creds.identityKey.pub.end())),
                  Node("link_code_pairing_ref", {}, *ref),
              });
  return iq(id, "set", "md", Node::Children{std::move(finish)});
}

}  // namespace switchboard::whatsapp::connector
