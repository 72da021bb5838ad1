#pragma once

// Appointment times as the model writes them (ISO 8601 with a UTC offset) and as the customer reads
// them in confirmations.

#include <cstdint>
#include <optional>
#include <string>

namespace switchboard::aiagent {

/// "2026-12-01T10:00:00Z", "2026-12-01T10:00+01:00", "2026-12-01 10:00:00-05:00" -> ms since the
/// epoch. A time without an offset is refused (nullopt): the calendar must not guess the zone.
std::optional<std::int64_t> parseIsoTime(const std::string& text);

/// "2026-12-01 10:00 UTC".
std::string formatUtc(std::int64_t ms);

}  // namespace switchboard::aiagent
