#include "protocol/crypto.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace switchboard::whatsapp {
namespace {

struct SodiumInit {
  SodiumInit() {
    if (sodium_init() < 0) {
      // Without a working RNG nothing here is safe: this is the "crash on the impossible" case.
      throw std::runtime_error("libsodium failed to initialise");
    }
  }
};

void ensureSodium() { static SodiumInit init; }

void clamp(Key32& k) {
  k[0] &= 248;
  k[31] &= 127;
  k[31] |= 64;
}

}  // namespace

KeyPair KeyPair::generate() {
  ensureSodium();
  Key32 priv;
  randombytes_buf(priv.data(), priv.size());
  return fromPrivate(priv);
}

KeyPair KeyPair::fromPrivate(const Key32& priv) {
  ensureSodium();
  KeyPair kp;
  kp.priv = priv;
  clamp(kp.priv);
  crypto_scalarmult_curve25519_base(kp.pub.data(), kp.priv.data());
  return kp;
}

sdk::Result<Key32> x25519(const Key32& priv, const Key32& peerPub) {
  ensureSodium();
  Key32 out;
  if (crypto_scalarmult_curve25519(out.data(), priv.data(), peerPub.data()) != 0) {
    return protocolError("crypto.weak_key", "X25519 with a small-order public key");
  }
  return out;
}

Key32 sha256(ByteView data) {
  ensureSodium();
  Key32 out;
  crypto_hash_sha256(out.data(), data.data(), data.size());
  return out;
}

Key32 hmacSha256(ByteView key, ByteView data) {
  ensureSodium();
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key.data(), key.size());
  crypto_auth_hmacsha256_update(&st, data.data(), data.size());
  Key32 out;
  crypto_auth_hmacsha256_final(&st, out.data());
  return out;
}

void hkdfSha256(ByteView ikm, ByteView salt, ByteView info, std::span<std::uint8_t> out) {
  ensureSodium();
  Key32 zeroSalt{};
  Key32 prk = hmacSha256(salt.empty() ? ByteView(zeroSalt) : salt, ikm);
  Key32 block{};
  std::size_t done = 0;
  for (std::uint8_t i = 1; done < out.size(); ++i) {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, prk.data(), prk.size());
    if (i > 1) {
      crypto_auth_hmacsha256_update(&st, block.data(), block.size());
    }
    crypto_auth_hmacsha256_update(&st, info.data(), info.size());
    crypto_auth_hmacsha256_update(&st, &i, 1);
    crypto_auth_hmacsha256_final(&st, block.data());
    std::size_t n = std::min(block.size(), out.size() - done);
    std::copy_n(block.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
    done += n;
  }
  sodium_memzero(prk.data(), prk.size());
}

void randomBytes(std::span<std::uint8_t> out) {
  ensureSodium();
  randombytes_buf(out.data(), out.size());
}

std::array<std::uint8_t, 12> counterIv(std::uint32_t counter) {
  std::array<std::uint8_t, 12> iv{};
  iv[8] = static_cast<std::uint8_t>(counter >> 24);
  iv[9] = static_cast<std::uint8_t>(counter >> 16);
  iv[10] = static_cast<std::uint8_t>(counter >> 8);
  iv[11] = static_cast<std::uint8_t>(counter);
  return iv;
}

struct AesGcm::Ctx {
  EVP_CIPHER_CTX* enc = EVP_CIPHER_CTX_new();
  EVP_CIPHER_CTX* dec = EVP_CIPHER_CTX_new();
  ~Ctx() {
    EVP_CIPHER_CTX_free(enc);
    EVP_CIPHER_CTX_free(dec);
  }
};

AesGcm::AesGcm(const Key32& key) : ctx_(std::make_unique<Ctx>()) {
  if (ctx_->enc == nullptr || ctx_->dec == nullptr ||
      EVP_EncryptInit_ex(ctx_->enc, EVP_aes_256_gcm(), nullptr, key.data(), nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx_->dec, EVP_aes_256_gcm(), nullptr, key.data(), nullptr) != 1) {
    throw std::bad_alloc();
  }
}

AesGcm::~AesGcm() = default;
AesGcm::AesGcm(AesGcm&&) noexcept = default;
AesGcm& AesGcm::operator=(AesGcm&&) noexcept = default;

sdk::Result<Bytes> AesGcm::seal(const std::array<std::uint8_t, 12>& iv, ByteView aad, ByteView plaintext) {
  Bytes out(plaintext.size() + 16);
  SB_TRY(sealInto(iv, aad, plaintext, out));
  return out;
}

sdk::Status AesGcm::sealInto(const std::array<std::uint8_t, 12>& iv, ByteView aad, ByteView plaintext,
                             std::span<std::uint8_t> out) {
  if (out.size() != plaintext.size() + 16) {
    return protocolError("crypto.seal", "the output of AES-GCM must hold the plaintext and its tag");
  }
  EVP_CIPHER_CTX* c = ctx_->enc;
  int len = 0;
  int fin = 0;
  if (EVP_EncryptInit_ex(c, nullptr, nullptr, nullptr, iv.data()) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
      EVP_EncryptUpdate(c, out.data(), &len, plaintext.data(), static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(c, out.data() + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out.data() + plaintext.size()) != 1) {
    return protocolError("crypto.seal", "AES-GCM encryption failed");
  }
  return sdk::okStatus();
}

sdk::Result<Bytes> AesGcm::open(const std::array<std::uint8_t, 12>& iv, ByteView aad, ByteView sealed) {
  if (sealed.size() < 16) {
    return protocolError("crypto.short", "an AES-GCM message is shorter than its tag");
  }
  EVP_CIPHER_CTX* c = ctx_->dec;
  std::size_t n = sealed.size() - 16;
  Bytes out(n);
  int len = 0;
  int fin = 0;
  // OpenSSL takes the expected tag through a non-const pointer but only reads it.
  auto* tag = const_cast<std::uint8_t*>(sealed.data() + n);
  if (EVP_DecryptInit_ex(c, nullptr, nullptr, nullptr, iv.data()) != 1 ||
      (!aad.empty() && EVP_DecryptUpdate(c, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) ||
      EVP_DecryptUpdate(c, out.data(), &len, sealed.data(), static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag) != 1 ||
      EVP_DecryptFinal_ex(c, out.data() + len, &fin) != 1) {
    return protocolError("crypto.auth", "AES-GCM tag mismatch");
  }
  return out;
}

}  // namespace switchboard::whatsapp
