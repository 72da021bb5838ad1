#pragma once

// Message text as rules compare it: letters lower-cased and stripped of accents, everything that is
// not a letter or digit turned into one space. Keywords, FAQ questions and the incoming text all go
// through the same fold, so "¿Cuánto CUESTA?" meets the keyword "cuanto cuesta".

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::autoresponder {

/// Folds at most `maxBytes` of `text` (cut on a character boundary). Invalid UTF-8 becomes a
/// separator. The result has single spaces between words and none at either end.
std::string foldText(std::string_view text, std::size_t maxBytes = 1 << 16);

/// The words of a folded text (views into it).
std::vector<std::string_view> splitWords(std::string_view folded);

/// Does `words` contain `phrase` (consecutive words)?
bool containsPhrase(const std::vector<std::string_view>& words, const std::vector<std::string>& phrase);

/// Cuts `text` to at most `maxBytes` without splitting a UTF-8 sequence.
std::string_view utf8Prefix(std::string_view text, std::size_t maxBytes);

}  // namespace switchboard::autoresponder
