#include "survey_answer.hpp"

namespace switchboard::analytics {

namespace {

// A score is short; longer messages are no score (and are not scanned further).
constexpr std::size_t kMaxAnswerBytes = 64;
constexpr std::string_view kStar = "\xE2\xAD\x90";           // U+2B50 WHITE MEDIUM STAR
constexpr std::string_view kVariation = "\xEF\xB8\x8F";      // U+FE0F, often sent after the star

bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<int> stars(std::string_view s) {
  int count = 0;
  while (!s.empty()) {
    if (s.substr(0, kStar.size()) == kStar) {
      s.remove_prefix(kStar.size());
      ++count;
    } else if (s.substr(0, kVariation.size()) == kVariation) {
      s.remove_prefix(kVariation.size());
    } else if (space(s.front())) {
      s.remove_prefix(1);
    } else {
      return std::nullopt;
    }
  }
  if (count >= 1 && count <= 5) {
    return count;
  }
  return std::nullopt;
}

}  // namespace

std::optional<int> parseSurveyScore(std::string_view text) {
  if (text.size() > kMaxAnswerBytes) {
    return std::nullopt;
  }
  const std::string_view s = trim(text);
  if (s.empty()) {
    return std::nullopt;
  }
  if (s.front() >= '1' && s.front() <= '5') {
    const int score = s.front() - '0';
    const std::string_view rest = trim(s.substr(1));
    if (rest.empty() || rest == "/5" || rest == "." || rest == "!") {
      return score;
    }
    return std::nullopt;
  }
  return stars(s);
}

}  // namespace switchboard::analytics
