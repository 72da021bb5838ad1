#pragma once

// A campaign's lifecycle: draft -> scheduled -> running -> completed, with pause, resume and
// cancel at any time before the end. A recurring campaign goes back to scheduled after each run.

#include <optional>
#include <string>

#include "switchboard/sdk/result.hpp"

namespace switchboard::campaigns {

enum class State { Draft, Scheduled, Running, Paused, Completed, Cancelled };
enum class Action { Schedule, Start, Pause, Resume, Cancel, Finish, Reschedule };

const char* toString(State s);
const char* toString(Action a);
std::optional<State> stateFromString(const std::string& s);

bool isTerminal(State s);

/// The state after `action` in `state`. `runInProgress` (Resume only): a run had started before
/// the pause, so resuming continues it. Errors: Permanent "campaign.bad_transition".
sdk::Result<State> transition(State state, Action action, bool runInProgress = false);

}  // namespace switchboard::campaigns
