#pragma once

// Seals secrets (device credentials, Signal private state) with libsodium secretbox before they
// reach the database, so a copied database file alone reveals no keys. The key lives in a file
// the config names; the database keeps a sealed check value so a wrong key is refused at start.

#include <array>
#include <atomic>
#include <memory>
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
  KeySealer();
  std::array<unsigned char, kKeySize> key_{};
  // Nonces are a random 16-byte prefix (new per KeySealer) and a counter: unique without a
  // getrandom(2) call per sealed value, which the inbound path seals once per message.
  std::array<unsigned char, 16> noncePrefix_{};
  std::shared_ptr<std::atomic<std::uint64_t>> nonceCounter_;
};

std::string toBase64(const std::string& bytes);
sdk::Result<std::string> fromBase64(const std::string& text);

}  // namespace switchboard::host::storage
