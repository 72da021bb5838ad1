#pragma once

// Seals secrets (device credentials, Signal private state) with libsodium secretbox before they
// reach the database, so a copied database file alone reveals no keys. The key lives in a file
// the config names; the database keeps a sealed check value so a wrong key is refused at start.

#include <array>
#include <string>

#include "switchboard/sdk/result.hpp"

namespace switchboard::host::storage {

namespace sdk = ::switchboard::sdk;

class KeySealer {
 public:
  static constexpr std::size_t kKeySize = 32;

  /// Reads a key file: 32 raw bytes, or 64 hex characters (surrounding whitespace ignored).
  static sdk::Result<KeySealer> fromFile(const std::string& path);
  /// Writes a new random key (hex, mode 0600) to `path`, which must not exist yet.
  static sdk::Result<KeySealer> createFile(const std::string& path);
  static KeySealer random();

  /// "s1:" + base64(nonce || secretbox(plain)). Text, so both backends store it alike.
  std::string seal(const std::string& plain) const;
  /// Fatal error when the value was sealed with another key or is damaged.
  sdk::Result<std::string> open(const std::string& sealed) const;

 private:
  KeySealer() = default;
  std::array<unsigned char, kKeySize> key_{};
};

std::string toBase64(const std::string& bytes);
sdk::Result<std::string> fromBase64(const std::string& text);

}  // namespace switchboard::host::storage
