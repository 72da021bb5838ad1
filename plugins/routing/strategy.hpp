#pragma once

// The contract between the routing engine and one strategy. A chain runs its steps in order:
// every step but the last narrows the candidates (keeps those it accepts), the last one picks.
// Strategies are deterministic given their input, their own state (round robin's position) and
// their seed (random), which is what lets the tests pin every decision.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "routing_config.hpp"
#include "routing_knowledge.hpp"
#include "shift_calendar.hpp"
#include "switchboard/sdk/plugin.hpp"

namespace switchboard::routing {

/// What every step of one decision sees.
struct RoutingInput {
  const sb::RoutingRequest& request;
  sb::TimestampMs now = 0;
  const PolicyConfig& policy;
  std::string words;            ///< The message's words, lower-cased, " " around each: " need a refund ".
  std::set<std::string> tags;   ///< The conversation's and the contact's tags.
};

using Candidates = std::vector<const sb::Agent*>;

struct NarrowResult {
  Candidates kept;
  std::string note;             ///< Why, for the decision's reason ("2 agents have skill billing").
};

struct PickResult {
  const sb::Agent* agent = nullptr;  ///< Null: this strategy does not choose (manual).
  std::string reason;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual NarrowResult narrow(const RoutingInput& in, const Candidates& candidates) = 0;
  /// @pre !candidates.empty()
  virtual PickResult pick(const RoutingInput& in, const Candidates& candidates) = 0;
};

/// Services strategies may read; owned by the engine's owner, outlive the strategies.
struct StrategyDeps {
  const ShiftCalendar& calendar;
  const std::vector<SkillRule>& skills;
  const RoutingKnowledge& knowledge;
  std::uint64_t seed = 0;
};

std::unique_ptr<Strategy> makeStrategy(const StepConfig& step, const StrategyDeps& deps);

// Shared helpers.

/// " word word " form of a text or keyword, so a phrase matches only on word boundaries.
std::string wordsOf(const std::string& text);
/// Does the text (in wordsOf form) contain the keyword (any case, any punctuation)?
bool containsPhrase(const std::string& words, const std::string& keyword);
/// Fewest open conversations first, then the lower share of capacity, then the id: a total order,
/// so ties are broken the same way every time.
bool lessBusy(const sb::Agent* a, const sb::Agent* b);
const sb::Agent* leastBusyOf(const Candidates& candidates);

}  // namespace switchboard::routing
