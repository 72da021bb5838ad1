#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol/bytes.hpp"

namespace switchboard::wasim {

/// Standard base64 with padding (QR codes, state snapshots).
std::string toBase64(whatsapp::ByteView bytes);
/// URL-safe base64 without padding (media tokens).
std::string toBase64Url(whatsapp::ByteView bytes);
/// Decodes standard base64 (padding optional); nothing on any invalid character.
std::optional<whatsapp::Bytes> fromBase64(std::string_view text);
/// Decodes URL-safe base64, padded or not.
std::optional<whatsapp::Bytes> fromBase64Url(std::string_view text);

}  // namespace switchboard::wasim
