#pragma once

// A regular-expression trigger, compiled once with PCRE2. Message text is hostile input, so every
// match runs under PCRE2's match, depth and heap limits: a pattern that would backtrack for
// seconds on a crafted message gives up and counts as "no match" instead of stalling the strand.
// Invalid UTF-8 in the text is tolerated (PCRE2_MATCH_INVALID_UTF), never an error.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "switchboard/sdk/result.hpp"

namespace switchboard::autoresponder {

/// Captured groups of a match: "0" is the whole match, then "1", "2", ... and named groups.
using Captures = std::vector<std::pair<std::string, std::string>>;

class RegexPattern {
 public:
  enum class Outcome { Match, NoMatch, LimitExceeded };

  /// @return the compiled pattern, or an error whose message gives PCRE2's reason and the offset.
  static sdk::Result<RegexPattern> compile(const std::string& pattern, bool caseSensitive);

  /// A run of ASCII text every match must contain, lower-cased ("" when none of at least two
  /// characters can be read off the pattern safely). Text whose lower-cased form lacks it cannot
  /// match, so the costlier match is skipped; a cheap filter for books with many regex rules.
  static std::string requiredLiteral(const std::string& pattern);

  /// Matches `text`; on a match fills `captures` (values cut to `maxCaptureBytes`).
  Outcome match(std::string_view text, Captures* captures, std::size_t maxCaptureBytes = 256) const;

  const std::string& source() const { return source_; }
  bool caseSensitive() const { return caseSensitive_; }
  /// requiredLiteral(source()), computed once.
  const std::string& literal() const { return literal_; }

 private:
  struct Compiled;
  RegexPattern(std::shared_ptr<const Compiled> compiled, std::string source, bool caseSensitive)
      : compiled_(std::move(compiled)),
        source_(std::move(source)),
        literal_(requiredLiteral(source_)),
        caseSensitive_(caseSensitive) {}

  std::shared_ptr<const Compiled> compiled_;
  std::string source_;
  std::string literal_;
  bool caseSensitive_ = false;
};

}  // namespace switchboard::autoresponder
