// XEdDSA (Signal's signature scheme over Curve25519 keys), built from libsodium's Ed25519 group
// operations and OpenSSL's big numbers for the one field conversion libsodium does not offer.
#include <openssl/bn.h>
#include <sodium.h>

#include <algorithm>
#include <memory>

#include "protocol/crypto.hpp"

namespace switchboard::whatsapp {
namespace {

struct BnCtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// The Edwards y coordinate of a Montgomery u: y = (u - 1) / (u + 1) mod p. Fails for keys that are
// not reduced mod p (libsignal refuses them too) and for u = -1, which has no such point.
bool montgomeryToEdwardsY(const Key32& u, Key32& y) {
  std::unique_ptr<BN_CTX, BnCtxFree> ctx(BN_CTX_new());
  BnPtr p(BN_new()), bu(BN_lebin2bn(u.data(), static_cast<int>(u.size()), nullptr)), num(BN_new()), den(BN_new()),
      res(BN_new());
  if (!ctx || !p || !bu || !num || !den || !res) {
    return false;
  }
  // p = 2^255 - 19
  BN_set_bit(p.get(), 255);
  BN_sub_word(p.get(), 19);
  if (BN_cmp(bu.get(), p.get()) >= 0) {
    return false;
  }
  BN_copy(num.get(), bu.get());
  BN_copy(den.get(), bu.get());
  if (BN_is_zero(num.get())) {
    BN_copy(num.get(), p.get());  // 0 - 1 = p - 1
  }
  BN_sub_word(num.get(), 1);
  BN_add_word(den.get(), 1);
  if (BN_cmp(den.get(), p.get()) == 0) {
    return false;
  }
  if (BN_mod_inverse(den.get(), den.get(), p.get(), ctx.get()) == nullptr ||
      BN_mod_mul(res.get(), num.get(), den.get(), p.get(), ctx.get()) != 1) {
    return false;
  }
  return BN_bn2lebinpad(res.get(), y.data(), static_cast<int>(y.size())) == static_cast<int>(y.size());
}

}  // namespace

Signature xeddsaSign(const Key32& priv, ByteView message) {
  KeyPair kp = KeyPair::fromPrivate(priv);  // clamps, as X25519 uses the key
  std::array<std::uint8_t, 64> wide{};
  std::copy(kp.priv.begin(), kp.priv.end(), wide.begin());
  std::array<std::uint8_t, crypto_core_ed25519_SCALARBYTES> a{};
  crypto_core_ed25519_scalar_reduce(a.data(), wide.data());
  Key32 A{};
  crypto_scalarmult_ed25519_base_noclamp(A.data(), a.data());
  // XEdDSA fixes the Edwards sign bit to 0 by negating the scalar when needed.
  if (A[31] & 0x80) {
    crypto_core_ed25519_scalar_negate(a.data(), a.data());
    A[31] &= 0x7F;
  }
  std::array<std::uint8_t, 64> z{};
  randomBytes(z);
  std::array<std::uint8_t, 32> prefix;
  prefix.fill(0xFF);
  prefix[0] = 0xFE;

  std::array<std::uint8_t, 64> digest{};
  crypto_hash_sha512_state st;
  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, prefix.data(), prefix.size());
  crypto_hash_sha512_update(&st, a.data(), a.size());
  crypto_hash_sha512_update(&st, message.data(), message.size());
  crypto_hash_sha512_update(&st, z.data(), z.size());
  crypto_hash_sha512_final(&st, digest.data());
  std::array<std::uint8_t, 32> r{};
  crypto_core_ed25519_scalar_reduce(r.data(), digest.data());

  Signature sig{};
  crypto_scalarmult_ed25519_base_noclamp(sig.data(), r.data());

  crypto_hash_sha512_init(&st);
  crypto_hash_sha512_update(&st, sig.data(), 32);
  crypto_hash_sha512_update(&st, A.data(), A.size());
  crypto_hash_sha512_update(&st, message.data(), message.size());
  crypto_hash_sha512_final(&st, digest.data());
  std::array<std::uint8_t, 32> h{};
  crypto_core_ed25519_scalar_reduce(h.data(), digest.data());

  std::array<std::uint8_t, 32> s{};
  crypto_core_ed25519_scalar_mul(s.data(), h.data(), a.data());
  crypto_core_ed25519_scalar_add(s.data(), s.data(), r.data());
  std::copy(s.begin(), s.end(), sig.begin() + 32);
  sodium_memzero(a.data(), a.size());
  sodium_memzero(r.data(), r.size());
  return sig;
}

bool xeddsaVerify(const Key32& pub, ByteView message, const Signature& signature) {
  Key32 ed{};
  if (!montgomeryToEdwardsY(pub, ed)) {
    return false;
  }
  ed[31] = static_cast<std::uint8_t>((ed[31] & 0x7F) | (signature[63] & 0x80));
  Signature sig = signature;
  sig[63] &= 0x7F;
  return crypto_sign_ed25519_verify_detached(sig.data(), message.data(), message.size(), ed.data()) == 0;
}

bool xeddsaVerify(const Key32& pub, ByteView message, ByteView signature) {
  if (signature.size() != 64) {
    return false;
  }
  Signature sig;
  std::copy(signature.begin(), signature.end(), sig.begin());
  return xeddsaVerify(pub, message, sig);
}

}  // namespace switchboard::whatsapp
