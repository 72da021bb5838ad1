#pragma once

// Opt-out by stop words: a reply whose whole text (case and surrounding punctuation ignored) is a
// stop word opts the contact out of every campaign. The record keeps whether the contact is opted
// out, since when, from what source (a stop word, the admin API) and whether the confirmation was
// sent, so a second "STOP" is not confirmed again.

#include <optional>
#include <string>
#include <vector>

#include "switchboard/sdk/types.hpp"

namespace switchboard::campaigns {

class StopWords {
 public:
  explicit StopWords(const std::vector<std::string>& words);
  /// The stop word `text` consists of, if any.
  std::optional<std::string> match(const std::string& text) const;

 private:
  std::vector<std::string> words_;  // folded
};

/// Lower-cases ASCII and trims whitespace and punctuation at both ends.
std::string foldWord(const std::string& text);

struct OptOutRecord {
  bool optedOut = false;
  std::string source;            ///< "stop_word", "admin", "keyword" (opted in again by a start word) ...
  std::string detail;            ///< The word, or who asked.
  sdk::TimestampMs at = 0;
  int confirmations = 0;         ///< Confirmation messages sent (one per opt-out).
  int changes = 0;               ///< How many times the state changed (numbers the confirmations' ids).

  std::string toJson() const;
  static std::optional<OptOutRecord> fromJson(const std::string& text);
};

}  // namespace switchboard::campaigns
