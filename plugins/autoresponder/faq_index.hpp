#pragma once

// The FAQ matcher: Okapi BM25 over the entries' questions, with an inverted index so a message
// only touches the questions that share a word with it.
//
// BM25 scores are unbounded, so a threshold on them would mean nothing across FAQs of different
// sizes. The confidence compared with the threshold is instead the geometric mean of two shares,
// each between 0 and 1:
//   - question coverage: the BM25 score divided by the score the question would get against
//     itself (how much of the question the message says);
//   - message coverage: the IDF weight of the message words found in the question divided by the
//     IDF weight of all the message's words, unknown words weighing as much as a word that only
//     one question contains
//     (how much of the message the question explains).
// A message that repeats a question exactly scores 1; one that shares only a common word with it
// scores near 0.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace switchboard::autoresponder {

class FaqIndex {
 public:
  /// @param stopwords folded words left out of both questions and messages; empty: a built-in
  /// English list.
  explicit FaqIndex(std::vector<std::string> stopwords = {});

  /// Adds one question (already folded) of FAQ entry `entry`. An entry may have several.
  void add(std::size_t entry, std::string_view foldedQuestion);
  /// Computes the weights; call once after the last add().
  void finish();

  struct Hit {
    std::size_t entry = 0;
    double score = 0;       ///< Raw BM25.
    double confidence = 0;  ///< 0..1, see above.
  };
  /// The entry whose question fits `words` (splitWords of the folded message) best, if any shares a word.
  std::optional<Hit> best(const std::vector<std::string_view>& words) const;

  std::size_t questions() const { return docs_.size(); }

  /// Crude English plural folding applied to both sides ("prices" -> "price").
  static std::string_view stem(std::string_view word, std::string& scratch);

 private:
  struct Doc {
    std::size_t entry = 0;
    std::size_t length = 0;
    double selfScore = 0;
    std::vector<std::pair<std::size_t, std::uint32_t>> terms;  // term id, frequency (until finish())
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  double termWeight(std::uint32_t tf, std::size_t docLength) const;

  static constexpr double kK1 = 1.2;
  static constexpr double kB = 0.75;
  std::unordered_set<std::string, StringHash, std::equal_to<>> stopwords_;
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> terms_;
  std::vector<std::vector<std::pair<std::size_t, std::uint32_t>>> postings_;  // by term: doc, frequency
  std::vector<double> idf_;
  std::vector<Doc> docs_;
  double averageLength_ = 1;
  double unknownIdf_ = 0;
};

}  // namespace switchboard::autoresponder
