// manual: nobody is picked; the conversation waits until an operator assigns it (an Assign
// command on Kafka, the admin API or the CLI). The candidates the earlier steps kept are reported
// with the queued event as suggestions.

#include "strategies.hpp"

namespace switchboard::routing {

namespace {

class Manual final : public Strategy {
 public:
  NarrowResult narrow(const RoutingInput&, const Candidates& candidates) override {
    return {candidates, "manual does not narrow"};
  }
  PickResult pick(const RoutingInput&, const Candidates&) override { return {nullptr, "waiting for an operator"}; }
};

}  // namespace

std::unique_ptr<Strategy> makeManual(const StepConfig&, const StrategyDeps&) { return std::make_unique<Manual>(); }

}  // namespace switchboard::routing
