#pragma once

#include <vector>

#include "storage/database.hpp"
#include "storage/key_sealer.hpp"
#include "storage/store.hpp"

namespace switchboard::host::storage {

/// storeInbound's body on PostgreSQL, inside the caller's transaction (accounts already locked).
sdk::Result<std::vector<InboundStored>> storeInboundBulk(Connection& c, const KeySealer& sealer,
                                                         std::vector<InboundWrite>& batch);

}  // namespace switchboard::host::storage
