#pragma once

// The auto-responder as a Responder plugin: for each stored message it applies the safety checks
// (own messages, groups, broadcasts, the operator's bot switch, human override, loops, rate
// limits), asks the rule engine what to answer, and sends each reply through the host's outbound
// path, marked automatic with the rule that fired. Runs on its strand; nothing here is shared
// across threads.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "loop_guard.hpp"
#include "rate_limiter.hpp"
#include "recent_times.hpp"
#include "rule_engine.hpp"
#include "switchboard/sdk/context.hpp"
#include "switchboard/sdk/plugin.hpp"

namespace switchboard::autoresponder {

/// Event types the plugin listens to besides the host's.
inline constexpr const char* kEventRulesChanged = "autoresponder.rules_changed";  ///< the admin API changed state
inline constexpr const char* kEventLoopDetected = "autoresponder.loop_detected";  ///< published by the plugin

class AutoResponderPlugin final : public sdk::Plugin, public sdk::Responder {
 public:
  using Clock = std::function<sdk::TimestampMs()>;

  explicit AutoResponderPlugin(sdk::PluginContext& ctx);
  /// With another clock (tests).
  AutoResponderPlugin(sdk::PluginContext& ctx, Clock clock);
  ~AutoResponderPlugin() override;

  static sdk::ConfigSchema schema();

  sdk::Status start() override;
  void stop() override;
  sdk::Responder* asResponder() override { return this; }
  sdk::Status onInbound(const sdk::InboundMessage& message, const sdk::Conversation& conversation) override;

 private:
  struct TenantRules {
    std::shared_ptr<const RuleEngine> engine;
    std::optional<std::string> revision;
    sdk::TimestampMs checkedAt = 0;
    bool stale = true;
  };

  void onEvent(const sdk::Event& event);
  sdk::Result<std::shared_ptr<const RuleEngine>> engineFor(const sdk::TenantId& tenant, sdk::TimestampMs now);
  sdk::Result<bool> humanIsAnswering(sdk::TenantStorage& storage, const sdk::Conversation& conversation,
                                     const std::vector<sdk::StoredMessage>& history, sdk::TimestampMs now);
  /// `persist`: also keep it in the plugin's state (replies typed on the phone are in no history).
  void noteHumanReply(const sdk::TenantId& tenant, const std::string& conversation, const std::string& peer,
                      sdk::TimestampMs now, bool persist);
  void send(const sdk::OutboundCommand& command, const PlannedReply& reply, const sdk::Conversation& conversation,
            sdk::TimestampMs now);
  void retryLater(sdk::OutboundCommand command, int attempt);
  sdk::Status skip(const char* reason);
  sdk::Counter& counter(const std::string& name, const std::string& help, const sdk::Labels& labels);

  sdk::PluginContext& ctx_;
  Clock clock_;
  Settings settings_;
  RuleBook baseBook_;
  std::map<sdk::TenantId, TenantRules> tenants_;
  bool needsTeams_ = false;

  RateLimiter conversationLimiter_;
  RateLimiter accountLimiter_;
  LoopGuard loopGuard_;
  RecentTimes cooldowns_;      // "<conversation>\x1f<rule>" -> last fired
  RecentTimes humanReplies_;   // conversation id or peerKey -> last reply by a person
  RecentTimes ourCommands_;    // "<tenant>/<command id>" -> submitted
  RecentTimes ourNetworkIds_;  // "<account>|<network id>" -> sent

  std::vector<std::unique_ptr<sdk::EventBus::Subscription>> subscriptions_;
  std::set<std::shared_ptr<boost::asio::steady_timer>> retries_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  sdk::Histogram& decisionSeconds_;
};

}  // namespace switchboard::autoresponder
