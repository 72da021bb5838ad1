#include "learned_model.hpp"

#include <algorithm>
#include <cstdint>
#include <map>

namespace switchboard::routing {

bool heldOut(const std::string& id, double holdout) {
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a: stable across runs and builds
  for (unsigned char c : id) {
    h = (h ^ c) * 1099511628211ULL;
  }
  return static_cast<double>(h % 10000) < holdout * 10000.0;
}

std::shared_ptr<const LearnedModel> trainLearnedModel(const std::vector<LabelledConversation>& conversations,
                                                      double holdout, std::size_t minExamples) {
  std::vector<NaiveBayes::Example> all, train, test;
  std::map<std::string, std::size_t> perAgent;
  for (const auto& c : conversations) {
    if (c.text.empty() || c.agent.empty()) {
      continue;
    }
    all.push_back({c.text, c.agent});
    (heldOut(c.id, holdout) ? test : train).push_back({c.text, c.agent});
    ++perAgent[c.agent];
  }
  if (all.size() < minExamples || perAgent.size() < 2) {
    return nullptr;
  }
  auto model = std::make_shared<LearnedModel>();
  model->chanceAccuracy = 1.0 / static_cast<double>(perAgent.size());
  if (!test.empty() && !train.empty()) {
    const auto measured = NaiveBayes::train(train);
    std::map<std::string, std::size_t> trainCounts;
    for (const auto& e : train) {
      ++trainCounts[e.label];
    }
    const auto majority =
        std::max_element(trainCounts.begin(), trainCounts.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; })->first;
    std::size_t right = 0, majorityRight = 0;
    for (const auto& e : test) {
      right += measured.predict(e.text) == e.label ? 1 : 0;
      majorityRight += majority == e.label ? 1 : 0;
    }
    model->heldOut = test.size();
    model->accuracy = static_cast<double>(right) / static_cast<double>(test.size());
    model->majorityAccuracy = static_cast<double>(majorityRight) / static_cast<double>(test.size());
  }
  model->classifier = NaiveBayes::train(all);
  model->trainedOn = all.size();
  return model;
}

}  // namespace switchboard::routing
