#pragma once

// Submits a command through the normal outbound path (the same one a Kafka `outbound` record
// takes: stored, idempotent by command id, results on Kafka `results`) and, for commands the host
// applies itself (assign, transfer, close, agent status), waits briefly for the final result so the
// API can answer with it. Private to host/admin.

#include <chrono>

#include "admin/admin_services.hpp"

namespace switchboard::admin {

struct Submitted {
  sdk::CommandResult result;  ///< the last stage seen
  bool final = false;         ///< sent or failed (false: still accepted when the wait ended)
};

/// A fresh command id ("admin-" and 16 random hex digits) unless the caller gave one.
std::string commandIdFor(const std::string& given);

sdk::Result<Submitted> submitCommand(AdminServices& services, const sdk::OutboundCommand& command,
                                     std::chrono::milliseconds wait);

}  // namespace switchboard::admin
