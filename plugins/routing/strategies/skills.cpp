// skills: the conversation's required skills come from the configured skill rules (keywords in
// the message, tags on the conversation or contact) and from the contact's language; an agent
// qualifies with any or all of them (`match`). Languages compare by primary subtag, so a
// "pt-BR" contact matches a "pt" agent.

#include <algorithm>

#include "strategies.hpp"

namespace switchboard::routing {

namespace {

std::string primaryLanguage(const std::string& tag) {
  std::string out;
  for (char c : tag) {
    if (c == '-' || c == '_') {
      break;
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

class Skills final : public Strategy {
 public:
  Skills(const StepConfig& step, const StrategyDeps& deps) : step_(step), deps_(deps) {}

  NarrowResult narrow(const RoutingInput& in, const Candidates& candidates) override {
    const auto need = required(in);
    if (need.skills.empty() && need.language.empty()) {
      return {candidates, "no skill required"};
    }
    NarrowResult out;
    for (const auto* a : candidates) {
      if (qualifies(matched(*a, need), need)) {
        out.kept.push_back(a);
      }
    }
    out.note = std::to_string(out.kept.size()) + " with " + describe(need);
    return out;
  }

  PickResult pick(const RoutingInput& in, const Candidates& candidates) override {
    const auto need = required(in);
    const sb::Agent* best = nullptr;
    std::size_t bestCount = 0;
    for (const auto* a : candidates) {
      const auto count = matched(*a, need);
      if (!qualifies(count, need) && !(need.skills.empty() && need.language.empty())) {
        continue;
      }
      if (best == nullptr || count > bestCount || (count == bestCount && lessBusy(a, best))) {
        best = a;
        bestCount = count;
      }
    }
    if (best == nullptr) {
      return {nullptr, "nobody has " + describe(need)};
    }
    return {best, need.skills.empty() && need.language.empty() ? "no skill required; least busy"
                                                              : std::to_string(bestCount) + " of " + describe(need)};
  }

 private:
  struct Need {
    std::set<std::string> skills;
    std::string language;  // primary subtag, "" when none is required
    std::size_t size() const { return skills.size() + (language.empty() ? 0 : 1); }
  };

  Need required(const RoutingInput& in) const {
    Need need;
    for (const auto& rule : deps_.skills) {
      bool hit = false;
      if (step_.fromKeywords) {
        hit = std::any_of(rule.keywords.begin(), rule.keywords.end(),
                          [&](const std::string& k) { return containsPhrase(in.words, k); });
      }
      if (!hit && step_.fromTags) {
        hit = std::any_of(rule.tags.begin(), rule.tags.end(), [&](const std::string& t) { return in.tags.count(t); });
      }
      if (hit) {
        need.skills.insert(rule.name);
      }
    }
    if (step_.fromLanguage && in.request.contact) {
      need.language = primaryLanguage(in.request.contact->language);
    }
    return need;
  }

  // How many of the needs the agent covers.
  static std::size_t matched(const sb::Agent& a, const Need& need) {
    std::size_t n = 0;
    for (const auto& s : need.skills) {
      n += std::find(a.skills.begin(), a.skills.end(), s) != a.skills.end() ? 1 : 0;
    }
    if (!need.language.empty()) {
      n += std::any_of(a.languages.begin(), a.languages.end(),
                       [&](const std::string& l) { return primaryLanguage(l) == need.language; })
               ? 1
               : 0;
    }
    return n;
  }

  bool qualifies(std::size_t count, const Need& need) const {
    return step_.match == SkillMatch::All ? count == need.size() : count > 0;
  }

  static std::string describe(const Need& need) {
    std::string out;
    for (const auto& s : need.skills) {
      out += (out.empty() ? "" : ", ") + s;
    }
    if (!need.language.empty()) {
      out += (out.empty() ? "language " : ", language ") + need.language;
    }
    return (need.size() == 1 ? "skill " : "skills ") + out;
  }

  StepConfig step_;
  const StrategyDeps& deps_;
};

}  // namespace

std::unique_ptr<Strategy> makeSkills(const StepConfig& step, const StrategyDeps& deps) {
  return std::make_unique<Skills>(step, deps);
}

}  // namespace switchboard::routing
