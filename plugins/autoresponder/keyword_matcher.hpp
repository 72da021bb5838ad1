#pragma once

// Finds the keyword rules a message triggers without looking at every rule: whole-word keywords
// are indexed by their first word, so a message costs one hash lookup per word however many
// rules there are. Substring ("contains") keywords are the exception and are scanned.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchboard::autoresponder {

enum class KeywordMode {
  Any,       ///< Any keyword appears as whole words.
  All,       ///< Every keyword appears as whole words, anywhere.
  Exact,     ///< The whole message is one of the keywords.
  Contains,  ///< Any keyword appears as a substring of the folded text.
};

class KeywordMatcher {
 public:
  /// Registers rule `rule` with keywords already folded (foldText). Empty keywords are ignored.
  void add(std::size_t rule, KeywordMode mode, const std::vector<std::string>& foldedKeywords);

  /// Appends the rules `folded` (with `words` = splitWords(folded)) triggers, each once, ascending.
  void match(std::string_view folded, const std::vector<std::string_view>& words, std::vector<std::size_t>& out) const;

  std::size_t ruleCount() const { return required_.size(); }

 private:
  struct Phrase {
    std::size_t rule = 0;
    std::size_t keyword = 0;           // index among the rule's keywords (for All)
    std::vector<std::string> rest;     // words after the first
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<Phrase>, StringHash, std::equal_to<>> byFirstWord_;
  std::unordered_map<std::string, std::vector<std::size_t>, StringHash, std::equal_to<>> exact_;
  std::vector<std::pair<std::size_t, std::string>> contains_;
  std::unordered_map<std::size_t, std::size_t> required_;  // rule -> keywords needed (1 unless All)
};

}  // namespace switchboard::autoresponder
