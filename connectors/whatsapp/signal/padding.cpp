#include "signal/padding.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "protocol/crypto.hpp"
#include "signal/errors.hpp"

namespace switchboard::whatsapp {

Bytes padMessage(ByteView message) {
  std::array<std::uint8_t, 1> r{};
  randomBytes(r);
  std::uint8_t n = r[0] & 0x0F;
  if (n == 0) {
    n = 15;
  }
  Bytes out;
  out.reserve(message.size() + n);
  out.assign(message.begin(), message.end());
  out.insert(out.end(), n, n);
  return out;
}

sdk::Result<Bytes> unpadMessage(ByteView padded) {
  if (padded.empty()) {
    return signalError(SignalErrc::InvalidPadding, "unpad: the plaintext is empty");
  }
  std::uint8_t n = padded.back();
  if (n == 0 || n > padded.size()) {
    return signalError(SignalErrc::InvalidPadding, "unpad: padding length " + std::to_string(n) + " for " +
                                                       std::to_string(padded.size()) + " bytes");
  }
  auto tail = padded.subspan(padded.size() - n);
  if (!std::all_of(tail.begin(), tail.end(), [n](std::uint8_t b) { return b == n; })) {
    return signalError(SignalErrc::InvalidPadding, "unpad: the last " + std::to_string(n) + " bytes are not all " +
                                                       std::to_string(n));
  }
  return Bytes(padded.begin(), padded.end() - n);
}

}  // namespace switchboard::whatsapp
