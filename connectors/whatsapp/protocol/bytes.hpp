#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView asBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view asChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes toBytes(std::string_view s) { return {s.begin(), s.end()}; }
inline void append(Bytes& out, ByteView b) { out.insert(out.end(), b.begin(), b.end()); }

std::string toHex(ByteView b);

// Every protocol error is permanent for the input that caused it: the connection that carried
// it is closed and reopened by the caller, the bytes are never retried as they are.
inline sdk::Error protocolError(std::string code, std::string message) {
  return sdk::Error::permanent("wa." + std::move(code), std::move(message));
}

}  // namespace switchboard::whatsapp
