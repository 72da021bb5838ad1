// round_robin: agents take turns in the order of their ids. Agents who are not candidates (away,
// full, off shift, filtered out by an earlier step) are skipped without losing their place.

#include <algorithm>

#include "strategies.hpp"

namespace switchboard::routing {

namespace {

class RoundRobin final : public Strategy {
 public:
  NarrowResult narrow(const RoutingInput&, const Candidates& candidates) override {
    return {candidates, "round robin does not narrow"};  // the configuration keeps it last
  }

  PickResult pick(const RoutingInput&, const Candidates& candidates) override {
    Candidates sorted = candidates;
    std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) { return a->id < b->id; });
    auto next = std::upper_bound(sorted.begin(), sorted.end(), last_,
                                 [](const std::string& id, const sb::Agent* a) { return id < a->id; });
    const sb::Agent* chosen = next == sorted.end() ? sorted.front() : *next;
    last_ = chosen->id;
    return {chosen, "next in turn after " + std::to_string(sorted.size() - 1) + " other candidates"};
  }

 private:
  std::string last_;  // id of the last agent picked; "" before the first pick
};

}  // namespace

std::unique_ptr<Strategy> makeRoundRobin(const StepConfig&, const StrategyDeps&) {
  return std::make_unique<RoundRobin>();
}

}  // namespace switchboard::routing
