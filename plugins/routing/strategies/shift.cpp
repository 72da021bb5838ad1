// shift: agents on shift now (working hours in their own time zone, holidays off), optionally
// only those with at least min_minutes_left before their shift ends; picks the agent who stays on
// shift longest, so a new conversation is not handed to someone about to leave.

#include <limits>

#include "strategies.hpp"

namespace switchboard::routing {

namespace {

class Shift final : public Strategy {
 public:
  Shift(const StepConfig& step, const StrategyDeps& deps) : step_(step), deps_(deps) {}

  NarrowResult narrow(const RoutingInput& in, const Candidates& candidates) override {
    NarrowResult out;
    for (const auto* a : candidates) {
      const auto s = status(in, *a);
      if (s.onShift && s.minutesLeft >= step_.minMinutesLeft) {
        out.kept.push_back(a);
      }
    }
    out.note = std::to_string(out.kept.size()) + " on shift";
    if (step_.minMinutesLeft > 0) {
      out.note += " for " + std::to_string(step_.minMinutesLeft) + " more minutes";
    }
    return out;
  }

  PickResult pick(const RoutingInput& in, const Candidates& candidates) override {
    const sb::Agent* best = nullptr;
    long long bestLeft = -1;
    for (const auto* a : candidates) {
      const auto s = status(in, *a);
      if (!s.onShift || s.minutesLeft < step_.minMinutesLeft) {
        continue;
      }
      if (best == nullptr || s.minutesLeft > bestLeft || (s.minutesLeft == bestLeft && lessBusy(a, best))) {
        best = a;
        bestLeft = s.minutesLeft;
      }
    }
    if (best == nullptr) {
      return {nullptr, "nobody on shift"};
    }
    return {best, bestLeft >= std::numeric_limits<int>::max() ? std::string("always on shift")
                                                              : std::to_string(bestLeft) + " minutes of shift left"};
  }

 private:
  ShiftStatus status(const RoutingInput& in, const sb::Agent& a) const {
    return deps_.calendar.status(a, in.now, in.policy.timeZone, in.policy.holidays);
  }

  StepConfig step_;
  const StrategyDeps& deps_;
};

}  // namespace

std::unique_ptr<Strategy> makeShift(const StepConfig& step, const StrategyDeps& deps) {
  return std::make_unique<Shift>(step, deps);
}

}  // namespace switchboard::routing
