#pragma once

// Runs the tools the model calls, against the SDK only: the contact (storage), tickets and
// appointments (events on the bus and Kafka, appointments also in the plugin's state), hand-over
// (an assign/transfer command), templates and confirmations (send commands marked automatic).
// Arguments are checked against the tool's schema first; an invalid call is never executed, and
// the model is told why.

#include <nlohmann/json.hpp>

#include <string>

#include "agent_settings.hpp"
#include "chat_protocol.hpp"
#include "switchboard/sdk/context.hpp"

namespace switchboard::aiagent {

/// Everything one agent turn works on. References outlive the turn's synchronous calls.
struct TurnScope {
  sdk::PluginContext& ctx;
  sdk::TenantStorage& storage;
  const Settings& settings;
  const AgentSpec& agent;
  const sdk::InboundMessage& message;
  const sdk::Conversation& conversation;
  sdk::TimestampMs now;
};

struct ToolOutcome {
  nlohmann::json result;    ///< what the model is told (an object; {"error": ...} for a refused call)
  bool executed = false;    ///< the arguments were valid and the tool ran (it may still have failed)
  bool handedOver = false;  ///< the conversation went to a person: the agent stops
};

/// Runs one call. `step` distinguishes calls within the turn (command and object ids).
ToolOutcome runTool(const TurnScope& scope, const ToolCall& call, const std::string& step);

/// Hands the conversation over to a person (named, or the least busy available member of `team`;
/// queued with tags "needs-human" and "team:<team>" when nobody is free), tells the customer, marks
/// the conversation as handed over in the plugin's state and publishes "ai.handover".
sdk::Result<nlohmann::json> handOver(const TurnScope& scope, const std::string& reason, std::string person,
                                     std::string team);

/// Submits a command; a retriable refusal is reported as an error too (the turn does not wait).
sdk::Status submit(sdk::PluginContext& ctx, const sdk::OutboundCommand& command);

/// Publishes an event on the bus and to Kafka `events`.
void publishEvent(sdk::PluginContext& ctx, const sdk::InboundMessage& m, const sdk::Conversation& c,
                  const std::string& type, const std::string& subject, std::map<std::string, std::string> attributes,
                  sdk::TimestampMs now);

}  // namespace switchboard::aiagent
