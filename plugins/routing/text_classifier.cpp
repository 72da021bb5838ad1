#include "text_classifier.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace switchboard::routing {

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> out;
  std::string word;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
      word += static_cast<char>(c);
    } else if (c >= 'A' && c <= 'Z') {
      word += static_cast<char>(c - 'A' + 'a');
    } else if (!word.empty()) {
      out.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) {
    out.push_back(std::move(word));
  }
  return out;
}

std::vector<std::string> features(std::string_view text) {
  auto words = tokenize(text);
  std::vector<std::string> out = words;
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    out.push_back(words[i] + ' ' + words[i + 1]);
  }
  return out;
}

NaiveBayes NaiveBayes::train(const std::vector<Example>& examples, double alpha) {
  NaiveBayes m;
  std::vector<double> docs;                                     // per label
  std::vector<double> totals;                                   // feature occurrences per label
  std::unordered_map<std::string, std::map<std::uint32_t, double>> counts;
  for (const auto& e : examples) {
    auto [it, added] = m.labelIndex_.emplace(e.label, static_cast<std::uint32_t>(m.labels_.size()));
    if (added) {
      m.labels_.push_back(e.label);
      docs.push_back(0);
      totals.push_back(0);
    }
    const auto label = it->second;
    docs[label] += 1;
    for (auto& f : features(e.text)) {
      counts[f][label] += 1;
      totals[label] += 1;
    }
  }
  const double vocabulary = static_cast<double>(counts.size());
  const double n = static_cast<double>(examples.size());
  for (std::size_t l = 0; l < m.labels_.size(); ++l) {
    m.logPrior_.push_back(std::log(docs[l] / n));
    m.logUnseen_.push_back(std::log(alpha / (totals[l] + alpha * vocabulary)));
  }
  m.weights_.reserve(counts.size());
  for (auto& [feature, byLabel] : counts) {
    auto& w = m.weights_[feature];
    for (const auto& [label, count] : byLabel) {
      const double logP = std::log((count + alpha) / (totals[label] + alpha * vocabulary));
      w.emplace_back(label, static_cast<float>(logP - m.logUnseen_[label]));
    }
  }
  return m;
}

std::vector<double> NaiveBayes::logScores(std::string_view text) const {
  const auto fs = features(text);
  std::vector<double> score(labels_.size());
  // Every feature the model knows adds log P(f | label); unknown features carry no information.
  std::size_t known = 0;
  std::vector<double> bonus(labels_.size(), 0.0);
  for (const auto& f : fs) {
    auto it = weights_.find(f);
    if (it == weights_.end()) {
      continue;
    }
    ++known;
    for (const auto& [label, w] : it->second) {
      bonus[label] += w;
    }
  }
  for (std::size_t l = 0; l < labels_.size(); ++l) {
    score[l] = logPrior_[l] + static_cast<double>(known) * logUnseen_[l] + bonus[l];
  }
  return score;
}

std::vector<double> NaiveBayes::posterior(std::string_view text,
                                          const std::vector<const std::string*>& labels) const {
  std::vector<double> out(labels.size(), -1.0);
  if (labels_.empty()) {
    return out;
  }
  const auto score = logScores(text);
  double best = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < labels.size(); ++i) {
    auto it = labelIndex_.find(*labels[i]);
    if (it != labelIndex_.end()) {
      out[i] = score[it->second];
      best = std::max(best, out[i]);
    }
  }
  double sum = 0;
  for (auto& s : out) {
    if (s != -1.0) {
      s = std::exp(s - best);  // shifted by the best score so that exp() cannot underflow to all zeros
      sum += s;
    }
  }
  for (auto& s : out) {
    if (s != -1.0) {
      s /= sum;
    }
  }
  return out;
}

std::optional<std::string> NaiveBayes::predict(std::string_view text) const {
  if (labels_.empty()) {
    return std::nullopt;
  }
  const auto score = logScores(text);
  return labels_[static_cast<std::size_t>(std::max_element(score.begin(), score.end()) - score.begin())];
}

}  // namespace switchboard::routing
