#include "lifecycle.hpp"

namespace switchboard::campaigns {

const char* toString(State s) {
  switch (s) {
    case State::Draft: return "draft";
    case State::Scheduled: return "scheduled";
    case State::Running: return "running";
    case State::Paused: return "paused";
    case State::Completed: return "completed";
    case State::Cancelled: return "cancelled";
  }
  return "draft";
}

const char* toString(Action a) {
  switch (a) {
    case Action::Schedule: return "schedule";
    case Action::Start: return "start";
    case Action::Pause: return "pause";
    case Action::Resume: return "resume";
    case Action::Cancel: return "cancel";
    case Action::Finish: return "finish";
    case Action::Reschedule: return "reschedule";
  }
  return "schedule";
}

std::optional<State> stateFromString(const std::string& s) {
  for (State st : {State::Draft, State::Scheduled, State::Running, State::Paused, State::Completed,
                   State::Cancelled}) {
    if (s == toString(st)) {
      return st;
    }
  }
  return std::nullopt;
}

bool isTerminal(State s) { return s == State::Completed || s == State::Cancelled; }

sdk::Result<State> transition(State state, Action action, bool runInProgress) {
  std::optional<State> next;
  switch (action) {
    case Action::Schedule:
      if (state == State::Draft) next = State::Scheduled;
      break;
    case Action::Start:
      if (state == State::Scheduled) next = State::Running;
      break;
    case Action::Pause:
      if (state == State::Scheduled || state == State::Running) next = State::Paused;
      break;
    case Action::Resume:
      if (state == State::Paused) next = runInProgress ? State::Running : State::Scheduled;
      break;
    case Action::Cancel:
      if (!isTerminal(state)) next = State::Cancelled;
      break;
    case Action::Finish:
      if (state == State::Running) next = State::Completed;
      break;
    case Action::Reschedule:
      if (state == State::Running) next = State::Scheduled;
      break;
  }
  if (!next) {
    return sdk::Error::permanent("campaign.bad_transition", std::string("cannot ") + toString(action) +
                                                                " a campaign that is " + toString(state));
  }
  return *next;
}

}  // namespace switchboard::campaigns
