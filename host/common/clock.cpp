#include "common/clock.hpp"

#include <chrono>

namespace switchboard::host {

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace switchboard::host
