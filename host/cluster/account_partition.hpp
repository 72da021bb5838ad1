#pragma once

// Which partition of the `control` topic an account belongs to. The same function as Kafka's own
// default partitioner for keyed records (murmur2 of the key's bytes, sign bit cleared, modulo the
// partition count), so a record any Kafka client produces to `control` keyed by the account id
// lands on the partition of the daemon that owns the account.

#include <cstdint>
#include <string_view>

namespace switchboard::host::cluster {

/// Kafka's murmur2 (the Java client's Utils.murmur2) of `key`.
std::int32_t kafkaMurmur2(std::string_view key);

/// The partition of `account` among `partitions` (> 0).
int partitionOf(std::string_view account, int partitions);

}  // namespace switchboard::host::cluster
