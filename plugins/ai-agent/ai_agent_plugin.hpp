#pragma once

// AI agents as a Responder plugin, built only on the SDK. For each stored customer message: the
// safety checks (own messages, groups, the operator's bot switch, switches per agent and per
// conversation, a person's override, an earlier hand-over), intent and sentiment (lexicon or model,
// published as "message.classified" and as conversation tags), the agent that takes it, the
// hand-over rules (asked for a person, negative sentiment, low confidence, N turns), the daily
// budget, then an AgentTurn with the model. Appointment reminders are sent from a timer. Runs on
// its strand; nothing here is shared across threads.

#include <map>
#include <optional>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "agent_directory.hpp"
#include "agent_settings.hpp"
#include "budget.hpp"
#include "call_log.hpp"
#include "lexicon_classifier.hpp"
#include "model_client.hpp"
#include "switchboard/sdk/context.hpp"
#include "switchboard/sdk/plugin.hpp"

namespace switchboard::aiagent {

class AiAgentPlugin final : public sdk::Plugin, public sdk::Responder {
 public:
  explicit AiAgentPlugin(sdk::PluginContext& ctx);
  ~AiAgentPlugin() override;

  static sdk::ConfigSchema schema();

  sdk::Status start() override;
  void stop() override;
  sdk::Responder* asResponder() override { return this; }
  sdk::Status onInbound(const sdk::InboundMessage& message, const sdk::Conversation& conversation) override;

 private:
  struct Pending {
    sdk::InboundMessage message;
    sdk::Conversation conversation;
    std::shared_ptr<sdk::TenantStorage> storage;
  };
  void onEvent(const sdk::Event& e);
  sdk::Result<bool> humanIsAnswering(sdk::TenantStorage& storage, const sdk::Conversation& conversation,
                                     const std::vector<sdk::StoredMessage>& history, std::int64_t now);
  /// The rest of onInbound once the conversation's turn is ours: memory, override, classification.
  void proceed(Pending p, std::int64_t at);
  /// The conversation's turn is over; a message that waited meanwhile is taken up now.
  void turnEnded(const std::string& conversation);
  void classifyWithModel(Pending p, Classification lexicon, std::vector<sdk::StoredMessage> history);
  void decide(const Pending& p, const Classification& cls, const std::vector<sdk::StoredMessage>& history);
  void noteClassification(const Pending& p, const Classification& cls, std::int64_t now);
  /// The reason to hand over before calling the model, or "".
  std::string handoverReason(const AgentSpec& agent, const Pending& p, const Classification& cls);
  void scheduleReminders();
  void sendDueReminders(const sdk::TenantId& tenant, std::int64_t now);
  sdk::Status skip(const char* reason);
  std::int64_t now() const;

  sdk::PluginContext& ctx_;
  sdk::Result<Settings> parsed_;
  Settings settings_;
  std::unique_ptr<Budget> budget_;
  std::unique_ptr<AgentDirectory> directory_;
  std::unique_ptr<CallLog> log_;
  std::shared_ptr<ModelClient> model_;
  std::unique_ptr<sdk::HttpRoute> adminRoute_;
  std::vector<std::unique_ptr<sdk::EventBus::Subscription>> subscriptions_;
  std::unique_ptr<boost::asio::steady_timer> reminderTimer_;
  std::set<sdk::TenantId> tenants_{sdk::kDefaultTenant};
  std::map<std::string, std::int64_t> humanReplies_;  // conversation -> last reply by a person
  std::set<std::string> ourCommands_;                 // "<tenant>/<command id>" we submitted
  std::set<std::string> ourNetworkIds_;               // "<account>|<network id>" of our sends
  std::set<std::string> budgetWarned_;                // "<account>/<day>" already announced
  std::map<std::string, std::optional<Pending>> busy_;  // conversations with a turn running -> the newest waiting message
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace switchboard::aiagent
