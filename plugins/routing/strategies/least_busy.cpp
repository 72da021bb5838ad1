// least_busy: the agent with the fewest open conversations. With response_time_weight w, an agent
// counts as having w more open conversations per minute of their average response time, so a slow
// responder gets fewer new conversations than a fast one with the same load. Agents with no
// measured response time count as the average of those with one.

#include <algorithm>
#include <cmath>

#include "strategies.hpp"

namespace switchboard::routing {

namespace {

class LeastBusy final : public Strategy {
 public:
  LeastBusy(const StepConfig& step, const StrategyDeps& deps) : weight_(step.responseTimeWeight), deps_(deps) {}

  NarrowResult narrow(const RoutingInput& in, const Candidates& candidates) override {
    const auto scores = score(in, candidates);
    const double best = *std::min_element(scores.begin(), scores.end());
    NarrowResult out;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (scores[i] <= best + 1e-9) {
        out.kept.push_back(candidates[i]);
      }
    }
    out.note = std::to_string(out.kept.size()) + " least busy";
    return out;
  }

  PickResult pick(const RoutingInput& in, const Candidates& candidates) override {
    const auto scores = score(in, candidates);
    std::size_t best = 0;
    for (std::size_t i = 1; i < candidates.size(); ++i) {
      const bool lower = scores[i] < scores[best] - 1e-9;
      const bool tie = std::fabs(scores[i] - scores[best]) <= 1e-9;
      if (lower || (tie && lessBusy(candidates[i], candidates[best]))) {
        best = i;
      }
    }
    std::string reason = std::to_string(candidates[best]->openConversations) + " open conversations";
    if (weight_ > 0) {
      reason += ", weighted load " + std::to_string(scores[best]);
    }
    return {candidates[best], reason};
  }

 private:
  std::vector<double> score(const RoutingInput& in, const Candidates& candidates) const {
    std::vector<double> out;
    out.reserve(candidates.size());
    const auto times = weight_ > 0 ? deps_.knowledge.responseTimes(in.request.conversation.tenant) : nullptr;
    double mean = 0;
    if (times && !times->empty()) {
      for (const auto& [agent, ms] : *times) {
        mean += ms;
      }
      mean /= static_cast<double>(times->size());
    }
    for (const auto* a : candidates) {
      double s = a->openConversations;
      if (times) {
        auto it = times->find(a->id);
        const double ms = it == times->end() ? mean : it->second;
        s += weight_ * ms / 60000.0;
      }
      out.push_back(s);
    }
    return out;
  }

  double weight_;
  const StrategyDeps& deps_;
};

}  // namespace

std::unique_ptr<Strategy> makeLeastBusy(const StepConfig& step, const StrategyDeps& deps) {
  return std::make_unique<LeastBusy>(step, deps);
}

}  // namespace switchboard::routing
