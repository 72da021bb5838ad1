#pragma once

#include <chrono>

#include <soci/soci.h>

#include "switchboard/sdk/result.hpp"

namespace switchboard::host::storage {

/// WAL, busy timeout and durability for one SQLite connection (pragmas are per connection).
sdk::Status applySqlitePragmas(soci::session& sql, std::chrono::milliseconds busyTimeout, bool synchronousFull,
                              long long cacheKiB);

}  // namespace switchboard::host::storage
