#include "connector/backoff.hpp"

#include <algorithm>

#include "protocol/crypto.hpp"

namespace switchboard::whatsapp::connector {

namespace {

double defaultRandom() {
  std::array<std::uint8_t, 4> b{};
  randomBytes(b);
  const std::uint32_t v = (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) | b[3];
  return static_cast<double>(v) / 4294967296.0;
}

}  // namespace

Backoff::Backoff(ReconnectSettings settings, std::function<double()> random)
    : settings_(settings), random_(random ? std::move(random) : std::function<double()>(defaultRandom)) {}

std::chrono::milliseconds Backoff::next() {
  double base = static_cast<double>(settings_.initial.count());
  const double cap = static_cast<double>(settings_.max.count());
  for (int i = 0; i < failures_ && base < cap; ++i) {
    base *= 2;
  }
  base = std::min(base, cap);
  ++failures_;
  const double factor = 1.0 + settings_.jitter * (2.0 * random_() - 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::max(1.0, base * factor)));
}

}  // namespace switchboard::whatsapp::connector
