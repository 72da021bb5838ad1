#pragma once

// HMAC-SHA256 and the encodings webhook signatures and Basic authentication use.

#include <string>
#include <string_view>

namespace switchboard::crm {

/// The raw 32-byte HMAC-SHA256 of `data` under `key`.
std::string hmacSha256(std::string_view key, std::string_view data);
std::string toHex(std::string_view bytes);
std::string toBase64(std::string_view bytes);
/// Compares in time independent of where the inputs differ (signature checks).
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace switchboard::crm
