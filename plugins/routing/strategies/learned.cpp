// learned: a classifier trained on past conversations and the agents who resolved them
// (learned_model.cpp) estimates, from the customer's words, how likely each candidate is to be
// the right one. Narrowing keeps the `top` most likely (at least min_confidence); picking takes
// the most likely. Until a model exists, or when it knows none of the candidates, it falls back
// to the least busy candidate and says so in the reason.

#include <algorithm>
#include <optional>

#include "strategies.hpp"

namespace switchboard::routing {

namespace {

class Learned final : public Strategy {
 public:
  Learned(const StepConfig& step, const StrategyDeps& deps) : step_(step), deps_(deps) {}

  NarrowResult narrow(const RoutingInput& in, const Candidates& candidates) override {
    auto ranked = rank(in, candidates);
    if (!ranked) {
      return {candidates, "no model yet"};
    }
    if (ranked->empty()) {
      return {candidates, "the model knows none of the candidates"};
    }
    NarrowResult out;
    for (const auto& [agent, p] : *ranked) {
      if (static_cast<int>(out.kept.size()) < step_.top && p >= step_.minConfidence) {
        out.kept.push_back(agent);
      }
    }
    out.note = std::to_string(out.kept.size()) + " most likely";
    return out;
  }

  PickResult pick(const RoutingInput& in, const Candidates& candidates) override {
    auto ranked = rank(in, candidates);
    if (!ranked || ranked->empty() || ranked->front().second < step_.minConfidence) {
      const char* why = !ranked ? "no model yet" : ranked->empty() ? "model knows none of the candidates"
                                                                    : "model not confident enough";
      return {leastBusyOf(candidates), std::string(why) + "; least busy"};
    }
    return {ranked->front().first,
            "predicted with probability " + std::to_string(ranked->front().second).substr(0, 5)};
  }

 private:
  // Candidates the model knows, most likely first; nullopt without a model.
  std::optional<std::vector<std::pair<const sb::Agent*, double>>> rank(const RoutingInput& in,
                                                                       const Candidates& candidates) const {
    auto model = deps_.knowledge.model(in.request.conversation.tenant);
    if (!model) {
      return std::nullopt;
    }
    std::vector<const std::string*> ids;
    ids.reserve(candidates.size());
    for (const auto* a : candidates) {
      ids.push_back(&a->id);
    }
    const auto probabilities = model->classifier.posterior(in.request.message.text, ids);
    std::vector<std::pair<const sb::Agent*, double>> out;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (probabilities[i] >= 0) {
        out.emplace_back(candidates[i], probabilities[i]);
      }
    }
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
      return x.second != y.second ? x.second > y.second : lessBusy(x.first, y.first);
    });
    return out;
  }

  StepConfig step_;
  const StrategyDeps& deps_;
};

}  // namespace

std::unique_ptr<Strategy> makeLearned(const StepConfig& step, const StrategyDeps& deps) {
  return std::make_unique<Learned>(step, deps);
}

}  // namespace switchboard::routing
