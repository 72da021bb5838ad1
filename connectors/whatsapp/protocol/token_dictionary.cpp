#include "protocol/token_dictionary.hpp"

#include <array>

namespace switchboard::whatsapp {
namespace {
#include "protocol/tokens_v2.inc"
#include "protocol/tokens_v3.inc"
}  // namespace

TokenDictionary::TokenDictionary(int version, const std::string_view* single, std::size_t singleCount,
                                 const DoubleTables& doubles)
    : version_(version), single_(single), singleCount_(singleCount), doubles_(doubles) {
  // Index 0 of the single-byte table is the empty string and is never a token. When a string
  // appears twice the later position wins, as in the reference encoders' token maps.
  for (std::size_t i = 1; i < singleCount; ++i) {
    index_[single[i]] = Token{false, 0, static_cast<std::uint8_t>(i)};
  }
  for (std::size_t d = 0; d < 4; ++d) {
    for (std::size_t i = 0; i < 256; ++i) {
      index_[doubles[d][i]] = Token{true, static_cast<std::uint8_t>(d), static_cast<std::uint8_t>(i)};
    }
  }
}

const TokenDictionary& TokenDictionary::v2() {
  static const TokenDictionary dict(2, kSingleV2.data(), kSingleV2.size(), kDoubleV2);
  return dict;
}

const TokenDictionary& TokenDictionary::v3() {
  static const TokenDictionary dict(3, kSingleV3.data(), kSingleV3.size(), kDoubleV3);
  return dict;
}

const TokenDictionary* TokenDictionary::forVersion(int version) {
  if (version == 2) {
    return &v2();
  }
  if (version == 3) {
    return &v3();
  }
  return nullptr;
}

std::optional<TokenDictionary::Token> TokenDictionary::find(std::string_view s) const {
  auto it = index_.find(s);
  if (it == index_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<std::string_view> TokenDictionary::single(std::uint8_t index) const {
  if (index == 0 || index >= singleCount_) {
    return std::nullopt;
  }
  return single_[index];
}

std::optional<std::string_view> TokenDictionary::doubleByte(std::uint8_t dict, std::uint8_t index) const {
  if (dict >= 4) {
    return std::nullopt;
  }
  return doubles_[dict][index];
}

}  // namespace switchboard::whatsapp
