#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace switchboard::whatsapp {

/// One of WhatsApp's binary-node token dictionaries. Version 3 is what current clients speak;
/// version 2 is still spoken by Baileys 6, so a server picks by the connection header.
class TokenDictionary {
 public:
  struct Token {
    bool isDouble = false;
    std::uint8_t dict = 0;  ///< 0..3 for double-byte tokens
    std::uint8_t index = 0;
  };

  /// @return the dictionary for a header version byte, or nullptr when we do not know it.
  static const TokenDictionary* forVersion(int version);
  static const TokenDictionary& v2();
  static const TokenDictionary& v3();

  int version() const { return version_; }
  std::optional<Token> find(std::string_view s) const;
  /// @return the single-byte token at index (1 .. singleCount()-1), or nothing.
  std::optional<std::string_view> single(std::uint8_t index) const;
  std::optional<std::string_view> doubleByte(std::uint8_t dict, std::uint8_t index) const;
  std::size_t singleCount() const { return singleCount_; }

 private:
  using DoubleTables = std::array<std::array<std::string_view, 256>, 4>;
  TokenDictionary(int version, const std::string_view* single, std::size_t singleCount, const DoubleTables& doubles);

  int version_;
  const std::string_view* single_;
  std::size_t singleCount_;
  const DoubleTables& doubles_;
  std::unordered_map<std::string_view, Token> index_;
};

}  // namespace switchboard::whatsapp
