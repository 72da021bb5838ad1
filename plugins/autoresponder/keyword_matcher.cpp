#include "keyword_matcher.hpp"

#include <algorithm>

#include "text_fold.hpp"

namespace switchboard::autoresponder {

void KeywordMatcher::add(std::size_t rule, KeywordMode mode, const std::vector<std::string>& foldedKeywords) {
  std::size_t count = 0;
  for (const auto& keyword : foldedKeywords) {
    if (keyword.empty()) {
      continue;
    }
    switch (mode) {
      case KeywordMode::Exact:
        exact_[keyword].push_back(rule);
        break;
      case KeywordMode::Contains:
        contains_.emplace_back(rule, keyword);
        break;
      case KeywordMode::Any:
      case KeywordMode::All: {
        auto words = splitWords(keyword);
        Phrase p;
        p.rule = rule;
        p.keyword = count;
        for (std::size_t i = 1; i < words.size(); ++i) {
          p.rest.emplace_back(words[i]);
        }
        byFirstWord_[std::string(words.front())].push_back(std::move(p));
        break;
      }
    }
    ++count;
  }
  required_[rule] = mode == KeywordMode::All ? count : 1;
}

void KeywordMatcher::match(std::string_view folded, const std::vector<std::string_view>& words,
                           std::vector<std::size_t>& out) const {
  // (rule, keyword) pairs found; a message has few words, so this stays small.
  std::vector<std::pair<std::size_t, std::size_t>> hits;
  for (std::size_t i = 0; i < words.size(); ++i) {
    auto it = byFirstWord_.find(words[i]);
    if (it == byFirstWord_.end()) {
      continue;
    }
    for (const auto& phrase : it->second) {
      bool ok = i + phrase.rest.size() < words.size();
      for (std::size_t k = 0; ok && k < phrase.rest.size(); ++k) {
        ok = words[i + 1 + k] == phrase.rest[k];
      }
      if (ok) {
        hits.emplace_back(phrase.rule, phrase.keyword);
      }
    }
  }
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  const auto before = out.size();
  for (std::size_t i = 0; i < hits.size();) {
    std::size_t j = i;
    while (j < hits.size() && hits[j].first == hits[i].first) {
      ++j;
    }
    auto need = required_.find(hits[i].first);
    if (need != required_.end() && j - i >= need->second) {
      out.push_back(hits[i].first);
    }
    i = j;
  }
  if (auto it = exact_.find(folded); it != exact_.end()) {
    out.insert(out.end(), it->second.begin(), it->second.end());
  }
  for (const auto& [rule, keyword] : contains_) {
    if (folded.find(keyword) != std::string_view::npos) {
      out.push_back(rule);
    }
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(before), out.end());
  out.erase(std::unique(out.begin() + static_cast<std::ptrdiff_t>(before), out.end()), out.end());
}

}  // namespace switchboard::autoresponder
