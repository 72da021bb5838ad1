#pragma once

// Intent and sentiment of a customer's message without a model: word lists, negation ("not good")
// and intensifiers ("very bad"). Good enough for routing and for noticing an angry customer; the
// model replaces it when the operator asks for model classification.

#include <string>
#include <string_view>

namespace switchboard::aiagent {

struct Classification {
  std::string intent = "other";  ///< greeting, pricing, booking, cancel, complaint, human, purchase, support, thanks, other
  double sentiment = 0;          ///< -1 (angry) .. +1 (delighted)
  double confidence = 0;         ///< 0..1: how much evidence the intent rests on
  std::string source = "lexicon";
  /// "negative", "neutral" or "positive" (a third of the scale either side of zero).
  std::string sentimentLabel() const;
};

/// Classifies up to the first 4 KiB of `text` (UTF-8; letters outside ASCII are kept as they are).
Classification classifyText(std::string_view text);

}  // namespace switchboard::aiagent
