#include "simulator/link_code.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <memory>

namespace switchboard::wasim {
namespace {

using whatsapp::append;
using whatsapp::Bytes;
using whatsapp::ByteView;
using whatsapp::Key32;

constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTVWXYZ";
constexpr int kIterations = 2 << 16;
constexpr std::string_view kBundleInfo = "link_code_pairing_key_bundle_encryption_key";
constexpr std::string_view kAdvInfo = "adv_secret";

sdk::Error bad(std::string what) { return sdk::Error::permanent("wasim.link_code", std::move(what)); }

Key32 pbkdf2(std::string_view code, ByteView salt) {
  Key32 key{};
  PKCS5_PBKDF2_HMAC(code.data(), static_cast<int>(code.size()), salt.data(), static_cast<int>(salt.size()),
                    kIterations, EVP_sha256(), static_cast<int>(key.size()), key.data());
  return key;
}

Bytes aesCtr(const Key32& key, ByteView iv, ByteView data) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  Bytes out(data.size());
  int len = 0;
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_ctr(), nullptr, key.data(), iv.data());
  EVP_EncryptUpdate(ctx.get(), out.data(), &len, data.data(), static_cast<int>(data.size()));
  return out;
}

Key32 bundleKey(const Key32& shared, ByteView salt) {
  Key32 key{};
  whatsapp::hkdfSha256(shared, salt, whatsapp::asBytes(kBundleInfo), key);
  return key;
}

Bytes advSecret(const Key32& shared, const Key32& identityShared, ByteView random) {
  Bytes ikm(shared.begin(), shared.end());
  append(ikm, identityShared);
  append(ikm, random);
  Bytes out(32);
  whatsapp::hkdfSha256(ikm, {}, whatsapp::asBytes(kAdvInfo), out);
  return out;
}

}  // namespace

sdk::Result<std::string> normalizeLinkCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') {
      continue;
    }
    char u = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (kAlphabet.find(u) == std::string_view::npos) {
      return bad("a pairing code uses only 1-9 and A-Z without I, O and U");
    }
    out += u;
  }
  if (out.size() != 8) {
    return bad("a pairing code has 8 characters");
  }
  return out;
}

Bytes wrapLinkCodeKey(std::string_view code, const Key32& key) {
  Bytes out(48);
  whatsapp::randomBytes(out);
  auto wrapped = aesCtr(pbkdf2(code, ByteView(out).first(32)), ByteView(out).subspan(32, 16), key);
  append(out, wrapped);
  return out;
}

sdk::Result<Key32> unwrapLinkCodeKey(std::string_view code, ByteView wrapped) {
  if (wrapped.size() != 80) {
    return bad("a wrapped pairing key is 80 bytes, got " + std::to_string(wrapped.size()));
  }
  auto plain = aesCtr(pbkdf2(code, wrapped.first(32)), wrapped.subspan(32, 16), wrapped.subspan(48));
  Key32 key{};
  std::memcpy(key.data(), plain.data(), key.size());
  return key;
}

sdk::Result<Bytes> openLinkCodeBundle(const whatsapp::KeyPair& primaryEphemeral, const Key32& companionEphemeral,
                                      const whatsapp::KeyPair& primaryIdentity, const Key32& companionIdentity,
                                      ByteView wrappedBundle) {
  if (wrappedBundle.size() != 32 + 12 + 96 + 16) {
    return bad("the wrapped key bundle is " + std::to_string(wrappedBundle.size()) + " bytes, not 156");
  }
  auto shared = whatsapp::x25519(primaryEphemeral.priv, companionEphemeral);
  if (!shared) {
    return bad("the companion's ephemeral key is unusable (wrong pairing code?)");
  }
  whatsapp::AesGcm gcm(bundleKey(*shared, wrappedBundle.first(32)));
  std::array<std::uint8_t, 12> nonce{};
  std::memcpy(nonce.data(), wrappedBundle.data() + 32, nonce.size());
  auto plain = gcm.open(nonce, {}, wrappedBundle.subspan(44));
  if (!plain || plain->size() != 96) {
    return bad("the key bundle does not decrypt (wrong pairing code?)");
  }
  if (!std::equal(companionIdentity.begin(), companionIdentity.end(), plain->begin())) {
    return bad("the key bundle names another companion identity");
  }
  if (!std::equal(primaryIdentity.pub.begin(), primaryIdentity.pub.end(), plain->begin() + 32)) {
    return bad("the key bundle names another primary identity");
  }
  auto identityShared = whatsapp::x25519(primaryIdentity.priv, companionIdentity);
  if (!identityShared) {
    return bad("the companion identity key is unusable");
  }
  return advSecret(*shared, *identityShared, ByteView(*plain).subspan(64));
}

sdk::Result<LinkCodeFinish> sealLinkCodeBundle(const whatsapp::KeyPair& companionEphemeral,
                                               const Key32& primaryEphemeral,
                                               const whatsapp::KeyPair& companionIdentity,
                                               const Key32& primaryIdentity) {
  auto shared = whatsapp::x25519(companionEphemeral.priv, primaryEphemeral);
  if (!shared) {
    return shared.takeError();
  }
  Bytes salt(32);
  whatsapp::randomBytes(salt);
  std::array<std::uint8_t, 12> nonce{};
  whatsapp::randomBytes(nonce);
  Bytes random(32);
  whatsapp::randomBytes(random);
  Bytes plain(companionIdentity.pub.begin(), companionIdentity.pub.end());
  append(plain, primaryIdentity);
  append(plain, random);
  whatsapp::AesGcm gcm(bundleKey(*shared, salt));
  auto sealed = gcm.seal(nonce, {}, plain);
  if (!sealed) {
    return sealed.takeError();
  }
  LinkCodeFinish out;
  out.wrappedBundle = salt;
  append(out.wrappedBundle, nonce);
  append(out.wrappedBundle, *sealed);
  auto identityShared = whatsapp::x25519(companionIdentity.priv, primaryIdentity);
  if (!identityShared) {
    return identityShared.takeError();
  }
  out.advSecret = advSecret(*shared, *identityShared, random);
  return out;
}

}  // namespace switchboard::wasim
