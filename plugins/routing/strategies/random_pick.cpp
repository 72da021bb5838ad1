// random: a uniformly random candidate. Seeded from the configuration's `seed` (and the step's
// position, so two random steps do not move in lockstep), or unpredictably when the seed is 0.

#include <random>

#include "strategies.hpp"

namespace switchboard::routing {

namespace {

class RandomPick final : public Strategy {
 public:
  explicit RandomPick(std::uint64_t seed) : engine_(seed) {}

  NarrowResult narrow(const RoutingInput&, const Candidates& candidates) override {
    return {candidates, "random does not narrow"};  // the configuration keeps it last
  }

  PickResult pick(const RoutingInput&, const Candidates& candidates) override {
    std::uniform_int_distribution<std::size_t> dist(0, candidates.size() - 1);
    return {candidates[dist(engine_)], "random among " + std::to_string(candidates.size())};
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace

std::unique_ptr<Strategy> makeRandom(const StepConfig& step, const StrategyDeps& deps) {
  std::uint64_t seed = deps.seed;
  if (seed == 0) {
    std::random_device device;
    seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  } else {
    seed ^= std::hash<std::string>{}(step.path);
  }
  return std::make_unique<RandomPick>(seed);
}

}  // namespace switchboard::routing
