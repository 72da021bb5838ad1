#pragma once

// Which outbox rows this daemon produces. One daemon alone produces them all (no scope is set).
// With several daemons sharing one outbox (scale-out, host/cluster), each row is produced by the
// daemon that owns its account, so that no record reaches Kafka twice and order per key holds.

#include <cstdint>

#include "storage/store.hpp"

namespace switchboard::host {

class OutboxScope {
 public:
  virtual ~OutboxScope() = default;
  /// Changes whenever the rows in scope change. The relay then starts over from the oldest
  /// pending row (rows it skipped before may be its own now).
  virtual std::uint64_t version() const = 0;
  /// Whether this daemon produces `record` now. Called on the relay thread for every row, just
  /// before it is produced: a row that left the scope since it was read is skipped.
  virtual bool produces(const OutboxRecord& record) const = 0;
};

}  // namespace switchboard::host
