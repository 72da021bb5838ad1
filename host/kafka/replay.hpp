#pragma once

// Replay: re-publishes stored inbound messages to `inbound`, with their original ids (ce_id =
// message id), through the outbox, so a consumer that lost data (or a new one) can catch up.
// Selection by tenant, account, conversation and time range; any combination.

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>

#include "kafka/envelope.hpp"
#include "storage/store.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::host {

struct ReplayRequest {
  std::optional<std::string> tenant;
  std::optional<std::string> account;
  std::optional<std::string> conversation;
  sdk::TimestampMs fromMs = 0;                                        ///< Inclusive.
  sdk::TimestampMs toMs = std::numeric_limits<sdk::TimestampMs>::max();  ///< Exclusive.
};

struct ReplayReport {
  std::int64_t messages = 0;  ///< Records queued for `inbound`.
};

/// Queues the selected messages in the outbox in batches, oldest first, waiting while the outbox
/// is above `outboxLimit` (replay never pushes it over the alarm level). `notify` wakes the relay.
/// Needs the SQL store; other stores answer with a Permanent error. Records are encoded in
/// `format`, the deployment's.
sdk::Result<ReplayReport> replayInbound(Store& store, const ReplayRequest& request, std::int64_t outboxLimit,
                                        const std::function<void()>& notify, Format format = Format::Protobuf);

}  // namespace switchboard::host
