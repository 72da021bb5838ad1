#include "connector/send_pacer.hpp"

#include <algorithm>
#include <cmath>

namespace switchboard::whatsapp::connector {

std::chrono::milliseconds SendPacer::acquire(Clock::time_point now) {
  if (started_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min<double>(settings_.burst, tokens_ + std::max(0.0, elapsed) * settings_.perSecond);
  }
  started_ = true;
  last_ = now;
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return std::chrono::milliseconds(0);
  }
  const double wait = (1.0 - tokens_) / settings_.perSecond;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(wait * 1000.0)));
}

}  // namespace switchboard::whatsapp::connector
