// Media crypto against vectors produced by Baileys 7 (lib/Utils/messages-media.js): getMediaKeys
// on the key 00..1f for four media types, and one document encrypted by its encryptedStream
// (random media key, recorded). Then the checks a hostile media host or sender could trip.

#include <gtest/gtest.h>

#include "connector/media_crypto.hpp"
#include "protocol/bytes.hpp"

namespace wa = switchboard::whatsapp;
namespace wc = switchboard::whatsapp::connector;

namespace {

wa::Bytes unhex(std::string_view h) {
  wa::Bytes out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

const wa::Bytes kKey = unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

// The document from Baileys' encryptedStream.
const wa::Bytes kDocPlain = unhex(
    "537769746368626f617264206d6564696120766563746f723a206120646f63756d656e74206f662066696674792d6f"
    "64642062797465732e");
const wa::Bytes kDocKey = unhex("d7847d1118380a6a05c270403fe5ec1a4e2be27da4ff2f435cba88fe4f3907b5");
const wa::Bytes kDocFile = unhex(
    "caf0232a58dd035f874d528aa414840bf6dc1f6104834b86ce873368338f1fc9e3982466a6aca6529c8a675e7ce9a6"
    "67d44cdd10579dc506afc7d7007368efe88888f8f9c6c041af2189");
const wa::Bytes kDocSha = unhex("9e4553d745cb31e1954bd027ad416a58e528e53f50aa03c46601be8765bbfa36");
const wa::Bytes kDocEncSha = unhex("9308464960dcd026f28ec50fa9514f3e732aeccd149525763980a4cf6de88025");

}  // namespace

TEST(WaMediaCrypto, KeyExpansionMatchesBaileysForEachType) {
  struct Case {
    const char* type;
    const char* iv;
    const char* cipher;
    const char* mac;
  };
  const Case cases[] = {
      {"image", "aa6a127218397cbd2383e4ccf7176a79",
       "008c9aea9b7c5d81eb56b3f530f87d42dcc92d27b11ad6b5bd66f0560d0d8c46",
       "91d09ffec108833c1699574c52657923fb6e3e161d9698bc6b3a05fbc508a515"},
      {"document", "25e9d370804de0bb33ea5db79453db66",
       "b75c2bed8e162ad63dd02b6b9fbda46b8ad2692e99ed0f877d0ab48a86fff790",
       "94a393dafdca1265c99e197425de98f15f7d87d34714ea901f7eefc29c99e5ac"},
      {"audio", "13f8935709c20e2e8b0680f81b0dd5fb",
       "a61016c0347747b75bb8a8f6d7bcdb863ac5eb702662755054fe77db27b7c1c0",
       "9ec93580944b6656b0babacf55026028ff6c68bb134a4fd082c12b5463a3bb79"},
      {"video", "f1dee5782cc4e2e7b07233b1e25de59b",
       "8564567ee06fa7006edab56a13c2b0a1431beb8efe698efad0f258e65feb5395",
       "259ad46118adcf3cd134ae881831c6865db31a8fa0bbce7bc3bcb9fcf369fcda"},
      // A sticker uses the image keys.
      {"sticker", "aa6a127218397cbd2383e4ccf7176a79",
       "008c9aea9b7c5d81eb56b3f530f87d42dcc92d27b11ad6b5bd66f0560d0d8c46",
       "91d09ffec108833c1699574c52657923fb6e3e161d9698bc6b3a05fbc508a515"},
  };
  for (const auto& c : cases) {
    auto keys = wc::expandMediaKey(kKey, c.type);
    ASSERT_TRUE(keys.ok()) << c.type;
    EXPECT_EQ(wa::toHex(keys->iv), c.iv) << c.type;
    EXPECT_EQ(wa::toHex(keys->cipherKey), c.cipher) << c.type;
    EXPECT_EQ(wa::toHex(keys->macKey), c.mac) << c.type;
  }
  EXPECT_FALSE(wc::expandMediaKey(kKey, "hologram").ok());
  EXPECT_FALSE(wc::expandMediaKey(wa::ByteView(kKey).first(31), "image").ok());
}

TEST(WaMediaCrypto, DecryptsADocumentBaileysEncrypted) {
  auto plain = wc::decryptMedia(kDocFile, kDocKey, "document", kDocEncSha, kDocSha);
  ASSERT_TRUE(plain.ok()) << plain.error().describe();
  EXPECT_EQ(plain.value(), kDocPlain);
}

TEST(WaMediaCrypto, EncryptionWithTheSameKeyGivesBaileysBytesAndHashes) {
  auto enc = wc::encryptMedia(kDocPlain, "document", wa::ByteView(kDocKey));
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->file, kDocFile);
  EXPECT_EQ(enc->fileSha256, kDocSha);
  EXPECT_EQ(enc->fileEncSha256, kDocEncSha);
  EXPECT_EQ(enc->fileLength, kDocPlain.size());
}

TEST(WaMediaCrypto, RandomKeysRoundTripForEveryLength) {
  for (std::size_t n : {0u, 1u, 15u, 16u, 17u, 1000u}) {
    wa::Bytes plain(n, static_cast<std::uint8_t>(n));
    auto enc = wc::encryptMedia(plain, "image");
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(enc->mediaKey.size(), 32u);
    EXPECT_EQ(enc->file.size(), (n / 16 + 1) * 16 + wc::kMediaMacBytes);
    auto back = wc::decryptMedia(enc->file, enc->mediaKey, "image", enc->fileEncSha256, enc->fileSha256);
    ASSERT_TRUE(back.ok()) << n;
    EXPECT_EQ(back.value(), plain);
  }
}

TEST(WaMediaCrypto, RefusesAlteredFilesWrongKeysAndWrongHashes) {
  auto flipped = kDocFile;
  flipped[3] ^= 1;
  EXPECT_EQ(wc::decryptMedia(flipped, kDocKey, "document", kDocEncSha, kDocSha).error().code,
            "whatsapp.media.enc_hash");
  // Without the encrypted hash the MAC catches it.
  EXPECT_EQ(wc::decryptMedia(flipped, kDocKey, "document", {}, {}).error().code, "whatsapp.media.mac");
  auto macFlipped = kDocFile;
  macFlipped.back() ^= 0x80;
  EXPECT_EQ(wc::decryptMedia(macFlipped, kDocKey, "document", {}, {}).error().code, "whatsapp.media.mac");
  // The right file under another type's keys.
  EXPECT_EQ(wc::decryptMedia(kDocFile, kDocKey, "image", kDocEncSha, kDocSha).error().code, "whatsapp.media.mac");
  auto wrongPlain = kDocSha;
  wrongPlain[0] ^= 1;
  EXPECT_EQ(wc::decryptMedia(kDocFile, kDocKey, "document", kDocEncSha, wrongPlain).error().code,
            "whatsapp.media.plain_hash");
  EXPECT_EQ(wc::decryptMedia(wa::ByteView(kDocFile).first(20), kDocKey, "document", {}, {}).error().code,
            "whatsapp.media.short");
  EXPECT_EQ(wc::decryptMedia(wa::ByteView(kDocFile).first(kDocFile.size() - 1), kDocKey, "document", {}, {})
                .error()
                .code,
            "whatsapp.media.short");
  EXPECT_EQ(wc::decryptMedia(kDocFile, wa::ByteView(kDocKey).first(16), "document", {}, {}).error().code,
            "whatsapp.media.key");
}
