#include <algorithm>

#include "strategy.hpp"
#include "text_classifier.hpp"

namespace switchboard::routing {

std::string wordsOf(const std::string& text) {
  std::string out = " ";
  for (const auto& w : tokenize(text)) {
    out += w;
    out += ' ';
  }
  return out;
}

bool containsPhrase(const std::string& words, const std::string& keyword) {
  const auto needle = wordsOf(keyword);
  return needle.size() > 1 && words.find(needle) != std::string::npos;
}

bool lessBusy(const sb::Agent* a, const sb::Agent* b) {
  if (a->openConversations != b->openConversations) {
    return a->openConversations < b->openConversations;
  }
  // Same count: the one with more room left relative to its capacity (cross-multiplied, exact).
  const long long la = static_cast<long long>(a->openConversations) * std::max(1, b->capacity);
  const long long lb = static_cast<long long>(b->openConversations) * std::max(1, a->capacity);
  if (la != lb) {
    return la < lb;
  }
  return a->id < b->id;
}

const sb::Agent* leastBusyOf(const Candidates& candidates) {
  return candidates.empty() ? nullptr : *std::min_element(candidates.begin(), candidates.end(), lessBusy);
}

}  // namespace switchboard::routing
