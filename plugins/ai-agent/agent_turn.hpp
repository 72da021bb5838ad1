#pragma once

// One agent's answer to one customer message: the model is called with the agent's prompt, the
// conversation's memory and the agent's tools; the tools it calls run (or are refused with the
// reason) and their results go back to it, for at most max_tool_rounds calls; its final text is sent
// to the customer, marked automatic with the agent's name. A hand-over ends the turn. Runs on the
// plugin's strand, asynchronously; it keeps itself alive until it ends.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent_settings.hpp"
#include "budget.hpp"
#include "call_log.hpp"
#include "chat_protocol.hpp"
#include "model_client.hpp"
#include "switchboard/sdk/context.hpp"

namespace switchboard::aiagent {

/// The plugin's services a turn uses; all outlive the turn while `alive` is true.
struct TurnServices {
  sdk::PluginContext& ctx;
  const Settings& settings;
  std::shared_ptr<ModelClient> model;
  CallLog& log;
  const Budget& budget;
  std::shared_ptr<bool> alive;
  /// Called when a reply was submitted (for loop detection of our own echoes).
  std::function<void(const sdk::OutboundCommand&)> sent;
  /// Called once when the turn is over, however it ended.
  std::function<void()> ended;
};

class AgentTurn : public std::enable_shared_from_this<AgentTurn> {
 public:
  AgentTurn(TurnServices services, AgentSpec agent, sdk::InboundMessage message, sdk::Conversation conversation,
            std::shared_ptr<sdk::TenantStorage> storage, std::vector<ChatMessage> messages);
  void start();

 private:
  void call();
  void onCompletion(CallOutcome outcome);
  void reply(const std::string& text);
  void end();
  std::int64_t now() const;

  TurnServices services_;
  AgentSpec agent_;
  sdk::InboundMessage message_;
  sdk::Conversation conversation_;
  std::shared_ptr<sdk::TenantStorage> storage_;
  ChatRequest request_;
  int round_ = 0;
  bool ended_ = false;
};

}  // namespace switchboard::aiagent
