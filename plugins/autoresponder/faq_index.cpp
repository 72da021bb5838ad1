#include "faq_index.hpp"

#include <algorithm>
#include <cmath>

#include "text_fold.hpp"

namespace switchboard::autoresponder {
namespace {

const char* const kEnglishStopwords[] = {
    "a",     "about", "am",   "an",    "and",  "any",   "are",   "as",    "at",   "be",    "been",  "but",
    "by",    "can",   "could", "did",  "do",   "does",  "for",   "from",  "had",  "has",   "have",  "he",
    "her",   "hers",  "him",  "his",   "how",  "i",     "if",    "in",    "into", "is",    "it",    "its",
    "me",    "my",    "of",   "on",    "or",   "our",   "she",   "so",    "that", "the",   "their", "them",
    "then",  "there", "these", "they", "this", "to",    "us",    "was",   "we",   "were",  "what",  "when",
    "where", "which", "who",  "whom",  "why",  "will",  "with",  "would", "you",  "your",  "yours", "please",
    // Words people wrap questions in, which say nothing about the topic.
    "hi",    "hello", "hey",  "thanks", "thank", "get",  "want",  "need",  "like", "know",  "tell",
};

}  // namespace

FaqIndex::FaqIndex(std::vector<std::string> stopwords) {
  if (stopwords.empty()) {
    for (const char* w : kEnglishStopwords) {
      stopwords_.emplace(w);
    }
  } else {
    for (auto& w : stopwords) {
      stopwords_.insert(std::move(w));
    }
  }
}

std::string_view FaqIndex::stem(std::string_view word, std::string& scratch) {
  if (word.size() > 4 && word.substr(word.size() - 3) == "ies") {
    scratch.assign(word.substr(0, word.size() - 3));
    scratch += 'y';
    return scratch;
  }
  if (word.size() > 3 && word.back() == 's' && word[word.size() - 2] != 's') {
    return word.substr(0, word.size() - 1);
  }
  return word;
}

void FaqIndex::add(std::size_t entry, std::string_view foldedQuestion) {
  Doc doc;
  doc.entry = entry;
  std::string scratch;
  std::unordered_map<std::size_t, std::uint32_t> counts;
  for (auto word : splitWords(foldedQuestion)) {
    if (stopwords_.count(word) != 0) {
      continue;
    }
    word = stem(word, scratch);
    auto it = terms_.find(word);
    if (it == terms_.end()) {
      it = terms_.emplace(std::string(word), postings_.size()).first;
      postings_.emplace_back();
    }
    ++counts[it->second];
    ++doc.length;
  }
  if (doc.length == 0) {
    return;  // nothing but stopwords: it could never be found
  }
  const auto id = docs_.size();
  for (const auto& [term, tf] : counts) {
    postings_[term].emplace_back(id, tf);
    doc.terms.emplace_back(term, tf);
  }
  docs_.push_back(std::move(doc));
}

double FaqIndex::termWeight(std::uint32_t tf, std::size_t docLength) const {
  const double norm = 1 - kB + kB * static_cast<double>(docLength) / averageLength_;
  return static_cast<double>(tf) * (kK1 + 1) / (static_cast<double>(tf) + kK1 * norm);
}

void FaqIndex::finish() {
  const double n = static_cast<double>(docs_.size());
  double total = 0;
  for (const auto& d : docs_) {
    total += static_cast<double>(d.length);
  }
  averageLength_ = docs_.empty() ? 1 : total / n;
  idf_.resize(postings_.size());
  for (std::size_t t = 0; t < postings_.size(); ++t) {
    const double df = static_cast<double>(postings_[t].size());
    idf_[t] = std::log(1 + (n - df + 0.5) / (df + 0.5));
  }
  // A word no question contains weighs as much as the rarest word that one question contains.
  unknownIdf_ = std::log(1 + (n - 1 + 0.5) / 1.5);
  for (auto& d : docs_) {
    d.selfScore = 0;
    for (const auto& [term, tf] : d.terms) {
      d.selfScore += idf_[term] * termWeight(tf, d.length);
    }
    d.terms.clear();
    d.terms.shrink_to_fit();
  }
}

std::optional<FaqIndex::Hit> FaqIndex::best(const std::vector<std::string_view>& words) const {
  std::vector<std::size_t> queryTerms;
  double queryWeight = 0;
  std::string scratch;
  std::unordered_set<std::string_view> seenUnknown;
  for (auto word : words) {
    if (stopwords_.count(word) != 0) {
      continue;
    }
    auto stemmed = stem(word, scratch);
    auto it = terms_.find(stemmed);
    if (it == terms_.end()) {
      if (seenUnknown.insert(word).second) {
        queryWeight += unknownIdf_;
      }
      continue;
    }
    if (std::find(queryTerms.begin(), queryTerms.end(), it->second) == queryTerms.end()) {
      queryTerms.push_back(it->second);
      queryWeight += idf_[it->second];
    }
  }
  if (queryTerms.empty() || queryWeight <= 0) {
    return std::nullopt;
  }
  // Sparse accumulation over the postings of the message's terms.
  std::unordered_map<std::size_t, std::pair<double, double>> acc;  // doc -> score, matched idf
  for (auto term : queryTerms) {
    for (const auto& [doc, tf] : postings_[term]) {
      auto& a = acc[doc];
      a.first += idf_[term] * termWeight(tf, docs_[doc].length);
      a.second += idf_[term];
    }
  }
  std::optional<Hit> best;
  for (const auto& [doc, a] : acc) {
    const double questionShare = docs_[doc].selfScore > 0 ? std::min(1.0, a.first / docs_[doc].selfScore) : 0;
    const double messageShare = std::min(1.0, a.second / queryWeight);
    const double confidence = std::sqrt(questionShare * messageShare);
    if (!best || confidence > best->confidence ||
        (confidence == best->confidence && (a.first > best->score ||
                                            (a.first == best->score && docs_[doc].entry < best->entry)))) {
      best = Hit{docs_[doc].entry, a.first, confidence};
    }
  }
  return best;
}

}  // namespace switchboard::autoresponder
