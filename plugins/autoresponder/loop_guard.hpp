#pragma once

// Notices two bots answering each other. People take seconds to read and type; a program answers
// at once and says the same thing again and again. Two signals, per conversation:
//   - machine-fast answers: a message arriving within `fastReply` of our automatic reply, in a row
//     `maxFastReplies` times;
//   - repeats: the same (folded) text `maxRepeats` times within `repeatWindow`.
// Either one marks the conversation as looping and the bot stays quiet there for `pause`. The
// per-conversation rate limit bounds the exchange even if both signals are off.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rule_book.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::autoresponder {

class LoopGuard {
 public:
  explicit LoopGuard(LoopSettings settings, std::size_t maxKeys = 100'000);

  enum class Verdict {
    Ok,         ///< Answer as usual.
    Detected,   ///< This message made the conversation a loop (report it once).
    Paused,     ///< Already a loop; still quiet.
  };
  /// Called for each message of the peer, before deciding.
  Verdict onInbound(const std::string& conversation, std::string_view foldedText, sdk::TimestampMs now);
  /// Called when we sent an automatic reply into the conversation.
  void onReply(const std::string& conversation, sdk::TimestampMs now);
  /// A person took over (or an operator resumed the bot): forget the conversation's history.
  void reset(const std::string& conversation);

  std::size_t conversations() const { return state_.size(); }

 private:
  struct State {
    sdk::TimestampMs lastReply = 0;  // our last automatic reply not yet answered
    int fastStreak = 0;
    sdk::TimestampMs pausedUntil = 0;
    sdk::TimestampMs lastSeen = 0;
    std::vector<std::pair<std::uint64_t, sdk::TimestampMs>> recent;  // text hash, time
  };
  void prune(sdk::TimestampMs now);

  LoopSettings settings_;
  std::size_t maxKeys_;
  std::unordered_map<std::string, State> state_;
};

}  // namespace switchboard::autoresponder
