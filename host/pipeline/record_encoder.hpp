#pragma once

// How the pipeline turns what happened into Kafka records for the outbox. Supplied by the Kafka
// bridge (host/kafka/envelope.hpp); a function table keeps the pipeline free of the wire format.

#include <functional>

#include "storage/store.hpp"

namespace switchboard::host {

struct RecordEncoder {
  std::function<OutboxRecord(const sdk::InboundMessage&)> inbound;
  std::function<OutboxRecord(const sdk::Event&)> event;
  std::function<OutboxRecord(const sdk::CommandResult&)> result;
};

}  // namespace switchboard::host
