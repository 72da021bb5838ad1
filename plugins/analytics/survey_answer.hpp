#pragma once

// Reading a satisfaction score out of a customer's message. The text comes from the network, so
// the parser looks at a bounded prefix only and never throws.

#include <optional>
#include <string_view>

namespace switchboard::analytics {

/// A score 1 to 5 when the whole message is one: "4", " 4 ", "4/5", "4.", "4!", or one to five
/// star emoji ("⭐⭐⭐"). Anything else ("4 but slow", "45", "thanks") is no score.
std::optional<int> parseSurveyScore(std::string_view text);

}  // namespace switchboard::analytics
