#pragma once

// One factory per strategy; makeStrategy (strategy_factory.cpp) chooses among them.

#include "strategy.hpp"

namespace switchboard::routing {

std::unique_ptr<Strategy> makeRoundRobin(const StepConfig& step, const StrategyDeps& deps);
std::unique_ptr<Strategy> makeLeastBusy(const StepConfig& step, const StrategyDeps& deps);
std::unique_ptr<Strategy> makeSkills(const StepConfig& step, const StrategyDeps& deps);
std::unique_ptr<Strategy> makePriority(const StepConfig& step, const StrategyDeps& deps);
std::unique_ptr<Strategy> makeShift(const StepConfig& step, const StrategyDeps& deps);
std::unique_ptr<Strategy> makeRandom(const StepConfig& step, const StrategyDeps& deps);
std::unique_ptr<Strategy> makeManual(const StepConfig& step, const StrategyDeps& deps);
std::unique_ptr<Strategy> makeLearned(const StepConfig& step, const StrategyDeps& deps);

}  // namespace switchboard::routing
