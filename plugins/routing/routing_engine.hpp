#pragma once

// Decides who gets a conversation, with no I/O: the plugin feeds it the request (conversation,
// contact, message, the tenant's agents with their status and load) and the time, and applies
// the outcome. Steps:
//   1. the policy: the first of `policies` whose accounts and tags match, else `default`;
//   2. the eligible agents: available, under capacity, of the policy's team, on shift (unless
//      respect_shifts is off), and not excluded (an agent whose claim was just lost);
//   3. sticky: a returning contact's last agent, if eligible;
//   4. the chain: each step but the last narrows, the last picks;
//   5. overflow: nobody found -> the fallback policy, else the conversation waits in the queue.
// Not thread-safe (round robin and random keep state): the plugin calls it from its strand.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "routing_config.hpp"
#include "routing_knowledge.hpp"
#include "shift_calendar.hpp"
#include "strategy.hpp"

namespace switchboard::routing {

struct RoutingOutcome {
  std::optional<sb::AgentId> agent;      ///< Empty: the conversation waits.
  std::string policy;                     ///< The policy that decided (after any fallback).
  std::string strategy;                   ///< The step that decided: a strategy name, "sticky" or "overflow".
  std::string reason;                     ///< One line a person can read.
  bool manual = false;                    ///< Waits for an operator; never offered again automatically.
  std::string waitMessage;                ///< The policy's message for a waiting customer ("" for none).
  std::vector<sb::AgentId> suggestions;   ///< For manual: the candidates the earlier steps kept.
  std::vector<std::string> unknownZones;  ///< Agents' time zones the tz database does not know.
};

class RoutingEngine {
 public:
  RoutingEngine(RoutingConfig config, const RoutingKnowledge& knowledge);
  RoutingEngine(const RoutingEngine&) = delete;  // strategies hold references into it
  RoutingEngine& operator=(const RoutingEngine&) = delete;

  /// @param sticky the contact's last agent, when the plugin knows one.
  /// @param exclude agents not to pick (their claim was just lost to a concurrent one).
  RoutingOutcome route(const sb::RoutingRequest& request, sb::TimestampMs now,
                       const std::optional<sb::AgentId>& sticky = std::nullopt,
                       const std::set<sb::AgentId>& exclude = {});

  /// The policy a conversation falls under.
  const PolicyConfig& policyFor(const sb::RoutingRequest& request) const;

  const RoutingConfig& config() const { return config_; }

 private:
  struct Policy {
    const PolicyConfig* config = nullptr;
    std::vector<std::unique_ptr<Strategy>> chain;
  };

  RoutingOutcome runPolicy(Policy& policy, const sb::RoutingRequest& request, sb::TimestampMs now,
                           const std::optional<sb::AgentId>& sticky, const std::set<sb::AgentId>& exclude,
                           std::set<std::string>& visited);
  Policy& compiled(const PolicyConfig& config);

  RoutingConfig config_;
  ShiftCalendar calendar_;
  StrategyDeps deps_;
  std::vector<Policy> policies_;  // parallel to: default, then config_.policies
};

}  // namespace switchboard::routing
