#pragma once

/// @file
/// @brief Figures of the operation (SDK 1.3): message volume by local hour or day, response
/// times, resolution, conversation duration, post-chat satisfaction and per-agent figures, all
/// computed by the storage in SQL over a date range in an IANA time zone.
///
/// Definitions (the same on every backend):
/// - A customer message is an inbound message not typed on our own phone and not a score given
///   in answer to a satisfaction survey (an answer that is no score stays a customer message). A human reply is an outbound message no plugin produced
///   (automatic = false) or one typed on our own phone.
/// - A conversation episode starts with the first customer message of a conversation, or the first
///   one after the conversation was closed, and ends when it is closed. An episode belongs to the
///   range its first customer message falls in, and to the agent who closed it (while it is open:
///   the conversation's assignee).
/// - A customer turn is the run of customer messages since the last human reply (within one
///   episode); its response time runs from the turn's first message to the next human reply.
///   The first response time of an episode is that of its first turn. A turn belongs to the range
///   its first message falls in.
/// - Averages are exact: the storage returns integer sums and counts, the means are sum / count.

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "switchboard/sdk/types.hpp"

namespace switchboard::sdk {

/// @brief A half-open range [from, to) of instants, read in an IANA time zone for bucketing.
struct AnalyticsRange {
  TimestampMs from = 0;
  TimestampMs to = 0;
  std::string timeZone = "UTC";  ///< IANA name, e.g. "Europe/Berlin".
};

enum class AnalyticsBucket { Hour, Day };

/// @brief Messages in one local hour (or day). A local hour repeated when clocks go back appears
/// twice, told apart by its UTC offset.
struct MessageVolumeBucket {
  std::string label;             ///< "2026-03-29T01:00+01:00" for hours, "2026-03-29" for days.
  TimestampMs start = 0;         ///< The bucket's first instant (UTC ms).
  std::int64_t inbound = 0;      ///< Customer messages.
  std::int64_t outbound = 0;     ///< Everything we sent (replies, automatic answers, surveys).
  std::int64_t automatic = 0;    ///< The part of `outbound` produced by plugins.
};

/// @brief An integer sum over `count` samples; `mean()` is 0 without samples.
struct AnalyticsMean {
  std::int64_t sum = 0;
  std::int64_t count = 0;
  double mean() const { return count == 0 ? 0.0 : static_cast<double>(sum) / static_cast<double>(count); }
};

/// @brief Post-chat satisfaction answers (scores 1 to 5).
struct SatisfactionFigures {
  std::int64_t sent = 0;                   ///< Surveys sent in the range.
  std::int64_t answered = 0;               ///< Of those, answered with a score.
  AnalyticsMean score;                     ///< Over the answers to surveys sent in the range.
  std::array<std::int64_t, 5> distribution{};  ///< Answers per score, [0] = score 1.
};

/// @brief The whole tenant's figures over a range.
struct AnalyticsSummary {
  std::int64_t inboundMessages = 0;
  std::int64_t outboundMessages = 0;
  std::int64_t episodes = 0;               ///< Conversation episodes started in the range.
  std::int64_t resolved = 0;               ///< Of those, closed (at any time up to the query).
  double resolutionRate() const {
    return episodes == 0 ? 0.0 : static_cast<double>(resolved) / static_cast<double>(episodes);
  }
  AnalyticsMean firstResponseMs;           ///< Over episodes started in the range and answered.
  AnalyticsMean responseMs;                ///< Over turns started in the range and answered.
  std::int64_t unansweredTurns = 0;        ///< Turns started in the range with no human reply yet.
  AnalyticsMean durationMs;                ///< Over resolved episodes started in the range.
  SatisfactionFigures satisfaction;
};

/// @brief One agent's figures over a range; `rank` orders the leaderboard.
struct AgentAnalytics {
  AgentId agent;
  std::string name;
  int rank = 0;                            ///< 1 = best: most resolved, then best score, then fastest.
  std::int64_t episodes = 0;
  std::int64_t resolved = 0;
  AnalyticsMean firstResponseMs;
  AnalyticsMean responseMs;
  AnalyticsMean durationMs;
  SatisfactionFigures satisfaction;
};

/// @brief What a satisfaction survey came to once the customer's next message arrived.
struct SurveyAnswer {
  std::optional<int> score;                ///< 1 to 5; absent when the message was no score.
  MessageId message;                       ///< The customer's message that answered (kept with a score).
  TimestampMs at = 0;
};

}  // namespace switchboard::sdk
