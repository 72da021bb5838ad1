#pragma once

// Traffic figures for the console's charts: messages per minute (in and out) and response times
// (from a customer's first message after a reply to the next reply in the same conversation),
// computed from message rows. Pure: the rows come from AdminQueries::recentMessages.

#include <cstdint>
#include <string>
#include <vector>

namespace switchboard::admin {

struct MessageRow {
  std::string conversation;
  bool inbound = false;
  bool automatic = false;  ///< sent by a bot (the auto-responder), not by a person
  std::int64_t ts = 0;     ///< ms since the epoch
};

struct ResponseSummary {
  int count = 0;
  double avgMs = 0;
  std::int64_t p50Ms = 0, p90Ms = 0, maxMs = 0;
};

struct MinuteStats {
  std::int64_t start = 0;  ///< ms since the epoch, a whole minute
  int in = 0, out = 0;
  int responses = 0;       ///< replies sent in this minute that ended a customer's turn
  double responseAvgMs = 0;
};

struct MessageStats {
  std::int64_t from = 0, to = 0;      ///< [from, to): whole minutes, `to` past the current one
  std::vector<MinuteStats> minutes;   ///< oldest first, every minute of the window present
  ResponseSummary responses, automatic, agent;
};

/// The figures of the `minutes` whole minutes up to (and including) the one holding `nowMs`.
/// `rows` may come in any order; a turn that started before the rows begin is not measured.
MessageStats summarizeMessages(std::vector<MessageRow> rows, std::int64_t nowMs, int minutes);

}  // namespace switchboard::admin
