#pragma once

#include <cstdint>

namespace switchboard::host {

/// Wall-clock milliseconds since the Unix epoch (record timestamps).
std::int64_t nowMs();

}  // namespace switchboard::host
