#pragma once

// Every model call is accounted for: its tokens charged to the account's daily budget, counted in
// metrics (calls by outcome, tokens, latency) and written to the activity log, an "ai.call" event
// on the bus and on Kafka `events` (agent, purpose, model, outcome,
// attempts, prompt_usage and completion_usage in tokens, latency_ms, cost, day_usage).
// Never the prompt or the key.

#include <map>
#include <string>

#include "budget.hpp"
#include "model_client.hpp"
#include "switchboard/sdk/context.hpp"

namespace switchboard::aiagent {

class CallLog {
 public:
  CallLog(sdk::PluginContext& ctx, const Budget& budget, std::string model);

  /// `purpose`: "reply" or "classify". Returns the day's spending after the call, when known.
  void record(sdk::TenantStorage& storage, const sdk::InboundMessage& m, const sdk::Conversation& c,
              const std::string& agent, const std::string& purpose, const CallOutcome& outcome, std::int64_t nowMs);

  sdk::Counter& counter(const std::string& name, const std::string& help, const sdk::Labels& labels);

 private:
  sdk::PluginContext& ctx_;
  const Budget& budget_;
  std::string model_;
  sdk::Histogram& seconds_;
};

}  // namespace switchboard::aiagent
