#pragma once

// WhatsApp media encryption (protocol notes 9.1): a 32-byte media key expands with HKDF-SHA256
// (info "WhatsApp <Kind> Keys", 112 bytes) into iv, cipher key, mac key and ref key; the file on
// the media host is AES-256-CBC(PKCS#7) ciphertext followed by the first 10 bytes of
// HMAC-SHA256(mac key, iv || ciphertext). Checks run before decryption, cheapest first.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/bytes.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp::connector {

inline constexpr std::size_t kMediaMacBytes = 10;

struct MediaKeys {
  std::array<std::uint8_t, 16> iv{};
  std::array<std::uint8_t, 32> cipherKey{}, macKey{}, refKey{};
};

/// The HKDF info string of a media type (image, sticker, video, gif, ptv, audio, ptt, document,
/// history, app-state, thumbnail-link); nothing for a type WhatsApp does not define.
std::optional<std::string> mediaInfoString(std::string_view mediaType);

/// Expands a media key (must be 32 bytes) for a media type.
sdk::Result<MediaKeys> expandMediaKey(ByteView mediaKey, std::string_view mediaType);

/// What an upload needs: the bytes for the media host and the hashes the message carries.
struct EncryptedMedia {
  Bytes file;           ///< ciphertext || 10-byte mac
  Bytes mediaKey;       ///< 32 bytes
  Bytes fileSha256;     ///< of the plaintext
  Bytes fileEncSha256;  ///< of `file`
  std::uint64_t fileLength = 0;
};

/// Encrypts with the given media key (32 bytes; tests use fixed keys) or a fresh random one.
sdk::Result<EncryptedMedia> encryptMedia(ByteView plaintext, std::string_view mediaType,
                                         std::optional<ByteView> mediaKey = std::nullopt);

/// Checks and decrypts a downloaded file. Hashes are checked when given (non-empty): the
/// encrypted file's SHA-256 first, then the MAC, then after decryption the plaintext's SHA-256.
/// Error codes: whatsapp.media.enc_hash, .mac, .decrypt, .plain_hash, .key, .short.
sdk::Result<Bytes> decryptMedia(ByteView file, ByteView mediaKey, std::string_view mediaType,
                                ByteView fileEncSha256, ByteView fileSha256);

}  // namespace switchboard::whatsapp::connector
