#include "connector/media_crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "protocol/crypto.hpp"

namespace switchboard::whatsapp::connector {

namespace {

sdk::Error mediaError(const std::string& code, const std::string& message) {
  return sdk::Error::permanent("whatsapp.media." + code, message);
}

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// AES-256-CBC with PKCS#7 padding in either direction; nothing on a padding or library failure.
std::optional<Bytes> aesCbc(bool encrypt, const MediaKeys& keys, ByteView input) {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx || input.size() > static_cast<std::size_t>(INT32_MAX - 32) ||
      EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, keys.cipherKey.data(), keys.iv.data(),
                        encrypt ? 1 : 0) != 1) {
    return std::nullopt;
  }
  Bytes out(input.size() + 16);
  int n = 0;
  int tail = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n, input.data(), static_cast<int>(input.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + n, &tail) != 1) {
    return std::nullopt;
  }
  out.resize(static_cast<std::size_t>(n + tail));
  return out;
}

std::array<std::uint8_t, 32> macOf(const MediaKeys& keys, ByteView ciphertext) {
  Bytes signedPart(keys.iv.begin(), keys.iv.end());
  append(signedPart, ciphertext);
  return hmacSha256(keys.macKey, signedPart);
}

}  // namespace

std::optional<std::string> mediaInfoString(std::string_view type) {
  // Several message types share one key family (a sticker is an image, a voice note audio).
  static const std::pair<std::string_view, std::string_view> kFamilies[] = {
      {"image", "Image"},       {"sticker", "Image"},   {"video", "Video"},
      {"gif", "Video"},         {"ptv", "Video"},       {"audio", "Audio"},
      {"ptt", "Audio"},         {"document", "Document"}, {"history", "History"},
      {"md-msg-hist", "History"}, {"app-state", "App State"}, {"thumbnail-link", "Link Thumbnail"},
  };
  for (const auto& [name, family] : kFamilies) {
    if (name == type) {
      return "WhatsApp " + std::string(family) + " Keys";
    }
  }
  return std::nullopt;
}

sdk::Result<MediaKeys> expandMediaKey(ByteView mediaKey, std::string_view mediaType) {
  if (mediaKey.size() != 32) {
    return mediaError("key", "media key of " + std::to_string(mediaKey.size()) + " bytes (32 expected)");
  }
  auto info = mediaInfoString(mediaType);
  if (!info) {
    return mediaError("type", "unknown media type \"" + std::string(mediaType) + "\"");
  }
  std::array<std::uint8_t, 112> expanded{};
  hkdfSha256(mediaKey, {}, asBytes(*info), expanded);
  MediaKeys k;
  std::copy_n(expanded.begin(), 16, k.iv.begin());
  std::copy_n(expanded.begin() + 16, 32, k.cipherKey.begin());
  std::copy_n(expanded.begin() + 48, 32, k.macKey.begin());
  std::copy_n(expanded.begin() + 80, 32, k.refKey.begin());
  OPENSSL_cleanse(expanded.data(), expanded.size());
  return k;
}

sdk::Result<EncryptedMedia> encryptMedia(ByteView plaintext, std::string_view mediaType,
                                         std::optional<ByteView> mediaKey) {
  EncryptedMedia out;
  if (mediaKey) {
    out.mediaKey.assign(mediaKey->begin(), mediaKey->end());
  } else {
    out.mediaKey.resize(32);
    randomBytes(out.mediaKey);
  }
  auto keys = expandMediaKey(out.mediaKey, mediaType);
  SB_TRY(keys);
  auto ciphertext = aesCbc(true, keys.value(), plaintext);
  if (!ciphertext) {
    return mediaError("encrypt", "AES-256-CBC failed for " + std::to_string(plaintext.size()) + " bytes");
  }
  const auto mac = macOf(keys.value(), *ciphertext);
  out.file = std::move(*ciphertext);
  out.file.insert(out.file.end(), mac.begin(), mac.begin() + kMediaMacBytes);
  const auto plainHash = sha256(plaintext);
  const auto encHash = sha256(out.file);
  out.fileSha256.assign(plainHash.begin(), plainHash.end());
  out.fileEncSha256.assign(encHash.begin(), encHash.end());
  out.fileLength = plaintext.size();
  return out;
}

sdk::Result<Bytes> decryptMedia(ByteView file, ByteView mediaKey, std::string_view mediaType, ByteView fileEncSha256,
                                ByteView fileSha256) {
  // At least one cipher block and the MAC; CBC output is whole blocks.
  if (file.size() < 16 + kMediaMacBytes || (file.size() - kMediaMacBytes) % 16 != 0) {
    return mediaError("short", "downloaded file of " + std::to_string(file.size()) +
                                   " bytes is not AES blocks followed by a 10-byte MAC");
  }
  if (!fileEncSha256.empty()) {
    const auto h = sha256(file);
    if (fileEncSha256.size() != h.size() || CRYPTO_memcmp(h.data(), fileEncSha256.data(), h.size()) != 0) {
      return mediaError("enc_hash", "the downloaded file's SHA-256 differs from the message's fileEncSha256");
    }
  }
  auto keys = expandMediaKey(mediaKey, mediaType);
  SB_TRY(keys);
  const ByteView ciphertext = file.first(file.size() - kMediaMacBytes);
  const ByteView mac = file.last(kMediaMacBytes);
  const auto expected = macOf(keys.value(), ciphertext);
  if (CRYPTO_memcmp(expected.data(), mac.data(), kMediaMacBytes) != 0) {
    return mediaError("mac", "the media file's HMAC does not verify (wrong key or altered file)");
  }
  auto plain = aesCbc(false, keys.value(), ciphertext);
  if (!plain) {
    return mediaError("decrypt", "AES-256-CBC decryption failed (bad padding)");
  }
  if (!fileSha256.empty()) {
    const auto h = sha256(*plain);
    if (fileSha256.size() != h.size() || CRYPTO_memcmp(h.data(), fileSha256.data(), h.size()) != 0) {
      return mediaError("plain_hash", "the decrypted media's SHA-256 differs from the message's fileSha256");
    }
  }
  return std::move(*plain);
}

}  // namespace switchboard::whatsapp::connector
