#pragma once

// Where the Kafka bridge (and the admin API) hand outbound commands once they are stored.
// Implemented by the pipeline, which knows the accounts this daemon runs and their connectors.

#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::host {

namespace sdk = ::switchboard::sdk;

class CommandSink {
 public:
  virtual ~CommandSink() = default;
  /// Checks a parsed command against what this deployment runs (the account exists and belongs to
  /// the command's tenant, the agent exists, ...). A Permanent error means: dead-letter it, with the
  /// error's message as the reason.
  virtual sdk::Status validate(const sdk::OutboundCommand& command) = 0;
  /// Executes a command that is already stored. Never blocks; the outcome is recorded through
  /// Store::recordResult by whoever completes it.
  virtual void dispatch(const sdk::OutboundCommand& command) = 0;
};

}  // namespace switchboard::host
