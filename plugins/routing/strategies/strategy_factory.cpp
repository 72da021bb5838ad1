#include "strategies.hpp"

namespace switchboard::routing {

std::unique_ptr<Strategy> makeStrategy(const StepConfig& step, const StrategyDeps& deps) {
  switch (step.kind) {
    case StrategyKind::RoundRobin: return makeRoundRobin(step, deps);
    case StrategyKind::LeastBusy: return makeLeastBusy(step, deps);
    case StrategyKind::Skills: return makeSkills(step, deps);
    case StrategyKind::Priority: return makePriority(step, deps);
    case StrategyKind::Shift: return makeShift(step, deps);
    case StrategyKind::Random: return makeRandom(step, deps);
    case StrategyKind::Manual: return makeManual(step, deps);
    case StrategyKind::Learned: return makeLearned(step, deps);
  }
  return makeLeastBusy(step, deps);
}

}  // namespace switchboard::routing
