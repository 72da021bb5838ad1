// priority: urgent conversations (a VIP contact, a conversation priority of at least
// min_priority, or a priority keyword in the message) go to the named vip_agents, or, when none
// are named, to the agents with the highest priority. Other conversations may be kept away from
// the vip_agents (reserve_vip_agents) so that those stay free for the urgent ones.

#include <algorithm>
#include <limits>

#include "strategies.hpp"

namespace switchboard::routing {

namespace {

class Priority final : public Strategy {
 public:
  explicit Priority(const StepConfig& step) : step_(step) {}

  NarrowResult narrow(const RoutingInput& in, const Candidates& candidates) override {
    NarrowResult out;
    const auto why = urgency(in);
    if (why.empty()) {
      for (const auto* a : candidates) {
        if (!step_.reserveVipAgents || !isVip(*a)) {
          out.kept.push_back(a);
        }
      }
      out.note = step_.reserveVipAgents ? "not urgent; VIP agents kept free" : "not urgent";
      return out;
    }
    out.kept = urgentCandidates(candidates);
    out.note = "urgent (" + why + "): " + std::to_string(out.kept.size()) + " " +
               (step_.vipAgents.empty() ? "highest-priority agents" : "VIP agents");
    return out;
  }

  PickResult pick(const RoutingInput& in, const Candidates& candidates) override {
    const auto why = urgency(in);
    if (why.empty()) {
      Candidates pool;
      for (const auto* a : candidates) {
        if (!step_.reserveVipAgents || !isVip(*a)) {
          pool.push_back(a);
        }
      }
      if (pool.empty()) {
        return {nullptr, "not urgent and only VIP agents are free"};
      }
      return {leastBusyOf(pool), "not urgent; least busy"};
    }
    const auto pool = urgentCandidates(candidates);
    if (pool.empty()) {
      return {nullptr, "urgent (" + why + ") but no VIP agent is free"};
    }
    return {leastBusyOf(pool), "urgent (" + why + ")"};
  }

 private:
  bool isVip(const sb::Agent& a) const {
    return std::find(step_.vipAgents.begin(), step_.vipAgents.end(), a.id) != step_.vipAgents.end();
  }

  // Why the conversation is urgent, or "" when it is not.
  std::string urgency(const RoutingInput& in) const {
    if (in.request.contact && in.request.contact->vip) {
      return "VIP contact";
    }
    if (in.request.conversation.priority >= step_.minPriority) {
      return "priority " + std::to_string(in.request.conversation.priority);
    }
    for (const auto& k : step_.priorityKeywords) {
      if (containsPhrase(in.words, k)) {
        return "keyword \"" + k + "\"";
      }
    }
    return {};
  }

  Candidates urgentCandidates(const Candidates& candidates) const {
    Candidates out;
    if (!step_.vipAgents.empty()) {
      for (const auto* a : candidates) {
        if (isVip(*a)) {
          out.push_back(a);
        }
      }
      return out;
    }
    int top = std::numeric_limits<int>::min();
    for (const auto* a : candidates) {
      top = std::max(top, a->priority);
    }
    for (const auto* a : candidates) {
      if (a->priority == top) {
        out.push_back(a);
      }
    }
    return out;
  }

  StepConfig step_;
};

}  // namespace

std::unique_ptr<Strategy> makePriority(const StepConfig& step, const StrategyDeps&) {
  return std::make_unique<Priority>(step);
}

}  // namespace switchboard::routing
