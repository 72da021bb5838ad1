// The OpenSSL crypto provider sb_wasignal gives libsignal-protocol-c, against published vectors:
// HMAC-SHA256 (RFC 4231), SHA-512 (FIPS 180-2), AES-256-CBC and AES-256-CTR (NIST SP 800-38A).
// AES-CTR and SHA-512 are not on the message paths the other suites exercise.

#include <gtest/gtest.h>

#include "protocol/bytes.hpp"
#include "signal/crypto_provider.hpp"

namespace wa = switchboard::whatsapp;

namespace {

wa::Bytes unhex(std::string_view hex) {
  wa::Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string take(signal_buffer* b) {
  std::string out = wa::toHex(wa::ByteView(signal_buffer_const_data(b), signal_buffer_len(b)));
  signal_buffer_free(b);
  return out;
}

const signal_crypto_provider kProvider = wa::detail::openSslCryptoProvider();

}  // namespace

TEST(WaSignalCrypto, HmacSha256Rfc4231) {
  void* ctx = nullptr;
  auto key = wa::toBytes("Jefe");
  ASSERT_EQ(kProvider.hmac_sha256_init_func(&ctx, key.data(), key.size(), nullptr), 0);
  auto part1 = wa::toBytes("what do ya want ");
  auto part2 = wa::toBytes("for nothing?");
  ASSERT_EQ(kProvider.hmac_sha256_update_func(ctx, part1.data(), part1.size(), nullptr), 0);
  ASSERT_EQ(kProvider.hmac_sha256_update_func(ctx, part2.data(), part2.size(), nullptr), 0);
  signal_buffer* out = nullptr;
  ASSERT_EQ(kProvider.hmac_sha256_final_func(ctx, &out, nullptr), 0);
  kProvider.hmac_sha256_cleanup_func(ctx, nullptr);
  EXPECT_EQ(take(out), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(WaSignalCrypto, Sha512AndReuseAfterFinal) {
  void* ctx = nullptr;
  ASSERT_EQ(kProvider.sha512_digest_init_func(&ctx, nullptr), 0);
  auto abc = wa::toBytes("abc");
  for (int round = 0; round < 2; ++round) {  // libsignal hashes again with the same context
    ASSERT_EQ(kProvider.sha512_digest_update_func(ctx, abc.data(), abc.size(), nullptr), 0);
    signal_buffer* out = nullptr;
    ASSERT_EQ(kProvider.sha512_digest_final_func(ctx, &out, nullptr), 0);
    EXPECT_EQ(take(out),
              "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
              "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
  }
  kProvider.sha512_digest_cleanup_func(ctx, nullptr);
}

TEST(WaSignalCrypto, AesCbcAndCtrNistVectors) {
  auto key = unhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  auto plain = unhex("6bc1bee22e409f96e93d7e117393172a");
  auto cbcIv = unhex("000102030405060708090a0b0c0d0e0f");
  auto ctrIv = unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  signal_buffer* out = nullptr;
  // CBC with PKCS#7: the NIST block, then one block of padding.
  ASSERT_EQ(kProvider.encrypt_func(&out, SG_CIPHER_AES_CBC_PKCS5, key.data(), key.size(), cbcIv.data(), cbcIv.size(),
                                   plain.data(), plain.size(), nullptr),
            0);
  std::string cbc = take(out);
  ASSERT_EQ(cbc.size(), 64u);
  EXPECT_EQ(cbc.substr(0, 32), "f58c4c04d6e5f1ba779eabfb5f7bfbd6");
  auto cbcBytes = unhex(cbc);
  ASSERT_EQ(kProvider.decrypt_func(&out, SG_CIPHER_AES_CBC_PKCS5, key.data(), key.size(), cbcIv.data(), cbcIv.size(),
                                   cbcBytes.data(), cbcBytes.size(), nullptr),
            0);
  EXPECT_EQ(take(out), wa::toHex(plain));
  // A corrupted last block fails the padding check instead of returning garbage.
  cbcBytes.back() ^= 0x55;
  EXPECT_NE(kProvider.decrypt_func(&out, SG_CIPHER_AES_CBC_PKCS5, key.data(), key.size(), cbcIv.data(), cbcIv.size(),
                                   cbcBytes.data(), cbcBytes.size(), nullptr),
            0);
  // CTR, no padding, and a partial block.
  ASSERT_EQ(kProvider.encrypt_func(&out, SG_CIPHER_AES_CTR_NOPADDING, key.data(), key.size(), ctrIv.data(), ctrIv.size(),
                                   plain.data(), plain.size(), nullptr),
            0);
  EXPECT_EQ(take(out), "601ec313775789a5b7a7f504bbf3d228");
  ASSERT_EQ(kProvider.decrypt_func(&out, SG_CIPHER_AES_CTR_NOPADDING, key.data(), key.size(), ctrIv.data(), ctrIv.size(),
                                   plain.data(), 5, nullptr),
            0);
  EXPECT_EQ(take(out), "601ec31377");
  // Wrong key or IV sizes are refused.
  EXPECT_NE(kProvider.encrypt_func(&out, SG_CIPHER_AES_CTR_NOPADDING, key.data(), 20, ctrIv.data(), ctrIv.size(),
                                   plain.data(), plain.size(), nullptr),
            0);
  EXPECT_NE(kProvider.encrypt_func(&out, SG_CIPHER_AES_CBC_PKCS5, key.data(), key.size(), ctrIv.data(), 12,
                                   plain.data(), plain.size(), nullptr),
            0);
}

TEST(WaSignalCrypto, RandomFillsAndDiffers) {
  wa::Bytes a(64);
  wa::Bytes b(64);
  ASSERT_EQ(kProvider.random_func(a.data(), a.size(), nullptr), 0);
  ASSERT_EQ(kProvider.random_func(b.data(), b.size(), nullptr), 0);
  EXPECT_NE(a, b);
}
