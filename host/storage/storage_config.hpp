#pragma once

// The `storage:` section of switchboard.yaml and the one call that turns it into a ready Store.

#include <memory>

#include "storage/store.hpp"
#include "switchboard/sdk/config.hpp"

namespace switchboard::host::storage {
class AccountFence;
}  // namespace switchboard::host::storage

namespace switchboard::host {

/// Keys of the `storage:` section (see host/storage/README.md).
sdk::ConfigSchema storageConfigSchema();

/// Connects (retrying with backoff up to `connect_retries` times, logging each failure), reads
/// the key file, runs migrations and returns a ready store. Errors: database newer than this
/// build (Fatal), key file missing/unreadable/wrong (Fatal), cannot connect after N tries
/// (Retriable), bad URL (Permanent).
/// `fence` (scale-out, PostgreSQL): every account write is checked against the account's owner.
sdk::Result<std::shared_ptr<Store>> openStore(const sdk::ConfigValue& storageSection,
                                             std::shared_ptr<storage::AccountFence> fence = nullptr);

}  // namespace switchboard::host
