#pragma once

// A multinomial naive Bayes text classifier: small, fast to train (one pass over the examples),
// fast to apply (sparse per-word weights), and good enough to learn "who usually handles this
// kind of message" from a few hundred conversations. Features are words and word pairs.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace switchboard::routing {

/// Lower-cased words of a text: runs of ASCII letters and digits, with every byte of a UTF-8
/// sequence counted as a letter so that words in any script stay whole.
std::vector<std::string> tokenize(std::string_view text);

/// Words and adjacent word pairs of a text, the classifier's features.
std::vector<std::string> features(std::string_view text);

class NaiveBayes {
 public:
  struct Example {
    std::string text;
    std::string label;
  };

  /// @param alpha additive (Laplace) smoothing.
  static NaiveBayes train(const std::vector<Example>& examples, double alpha = 1.0);

  /// Probabilities of the given labels for this text, in their order, renormalised over those of
  /// them the model knows; a label it does not know gets -1. All -1 when it knows none.
  std::vector<double> posterior(std::string_view text, const std::vector<const std::string*>& labels) const;
  /// The most probable label of all, or nullopt for an untrained model.
  std::optional<std::string> predict(std::string_view text) const;

  const std::vector<std::string>& labels() const { return labels_; }
  std::size_t vocabulary() const { return weights_.size(); }

 private:
  /// Unnormalised log-probability of each label (index as labels_).
  std::vector<double> logScores(std::string_view text) const;

  std::vector<std::string> labels_;
  std::map<std::string, std::uint32_t> labelIndex_;
  std::vector<double> logPrior_;
  std::vector<double> logUnseen_;  // per label: log P(feature | label) of a feature it never saw
  // Per feature, only the labels that saw it: log P(feature | label) - logUnseen_[label].
  std::unordered_map<std::string, std::vector<std::pair<std::uint32_t, float>>> weights_;
};

}  // namespace switchboard::routing
