#pragma once

// The routing plugin: a Router the host calls for every conversation without an assignee. It
// wraps the routing engine (which decides) with what needs the host: storage (claiming an agent
// within capacity, remembering a contact's last agent, the history the classifier learns from),
// the event bus (agent status changes and closed conversations free agents for waiting
// conversations), timers on its strand, a background thread for slow work, metrics and logs.

#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "background_worker.hpp"
#include "routing_engine.hpp"
#include "routing_knowledge.hpp"
#include "wait_queue.hpp"
#include "switchboard/sdk.hpp"

namespace switchboard::routing {

class RoutingPlugin final : public sb::Plugin, public sb::Router {
 public:
  explicit RoutingPlugin(sb::PluginContext& ctx);
  ~RoutingPlugin() override;

  static sb::ConfigSchema schema();

  sb::Status start() override;
  void stop() override;
  sb::Router* asRouter() override { return this; }

  sb::Result<sb::RoutingDecision> route(const sb::RoutingRequest& request) override;

  /// Offers the waiting conversations of every tenant to the agents free now (also on a timer
  /// and when an agent's status changes or a conversation closes). Runs on the strand.
  void drainQueue();

  /// Trains the learned strategy's model of one tenant now, on the calling thread.
  void trainNow(const sb::TenantId& tenant);
  /// Recomputes one tenant's agent response times now, on the calling thread.
  void refreshResponseTimesNow(const sb::TenantId& tenant);

  const RoutingKnowledge& knowledge() const { return knowledge_; }
  std::size_t waiting() const { return queue_.size(); }

 private:
  struct Claim {
    std::optional<sb::AgentId> agent;
    RoutingOutcome outcome;
    std::optional<sb::Error> error;  // storage failed: the conversation is left to the queue
  };
  /// Runs the engine and claims the agent it picks, trying others when a claim loses a race.
  Claim decideAndClaim(const sb::RoutingRequest& request, sb::TenantStorage* storage);
  void enqueue(const sb::RoutingRequest& request, const RoutingOutcome& outcome, bool fromInbound);
  void emitAssigned(const sb::Conversation& conversation, const sb::AgentId& agent, const RoutingOutcome& outcome);
  void onEvent(const sb::Event& event);
  std::optional<sb::AgentId> stickyAgent(sb::TenantStorage& storage, const sb::ContactId& contact);
  void rememberAgent(sb::TenantStorage& storage, const sb::ContactId& contact, const sb::AgentId& agent);
  void restoreQueue(const sb::TenantId& tenant);
  void schedule(boost::asio::steady_timer& timer, std::chrono::milliseconds every, void (RoutingPlugin::*tick)());
  void trainingTick();
  void responseTimesTick();
  void drainTick();
  void warnUnknownZones(const RoutingOutcome& outcome);
  bool anySticky() const;

  sb::PluginContext& ctx_;
  std::optional<RoutingEngine> engine_;
  RoutingKnowledge knowledge_;
  WaitQueue queue_;
  std::set<sb::TenantId> tenants_{sb::kDefaultTenant};
  std::set<std::string> warnedZones_;
  BackgroundWorker worker_;
  boost::asio::steady_timer drainTimer_, trainTimer_, responseTimer_;
  std::vector<std::unique_ptr<sb::EventBus::Subscription>> subscriptions_;
  bool stopped_ = false;
  // Shared with queued timer handlers, which may run after the plugin is destroyed (strand only).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  sb::Counter& queued_;
  sb::Counter& claimsLost_;
  sb::Counter& storageErrors_;
  sb::Gauge& queueDepth_;
  sb::Histogram& decisionSeconds_;
};

}  // namespace switchboard::routing
