#include "lexicon_classifier.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <map>
#include <vector>

namespace switchboard::aiagent {
namespace {

constexpr std::size_t kMaxBytes = 4096;

struct Weighted {
  std::string_view word;
  double weight;
};

// Sentiment words and their strength. Prefix matches ("frustrat" for frustrated, frustrating).
constexpr std::array<Weighted, 44> kSentiment{{
    {"angry", -0.9},     {"awful", -0.9},       {"terrible", -0.9},  {"horrible", -0.9}, {"worst", -1.0},
    {"hate", -0.9},      {"useless", -0.8},     {"disgust", -0.9},   {"furious", -1.0},  {"scam", -0.9},
    {"ridiculous", -0.7},{"unacceptable", -0.9},{"frustrat", -0.7},  {"disappoint", -0.7},{"annoy", -0.6},
    {"bad", -0.6},       {"broken", -0.5},      {"problem", -0.3},   {"wrong", -0.4},    {"never", -0.2},
    {"slow", -0.3},      {"refund", -0.3},      {"complain", -0.6},  {"rude", -0.8},     {"late", -0.3},
    {"poor", -0.6},      {"sucks", -0.8},       {"lawyer", -0.7},    {"good", 0.5},      {"great", 0.7},
    {"excellent", 0.9},  {"amazing", 0.9},      {"love", 0.8},       {"thank", 0.5},     {"perfect", 0.8},
    {"happy", 0.6},      {"awesome", 0.8},      {"nice", 0.4},       {"helpful", 0.6},   {"wonderful", 0.9},
    {"fantastic", 0.9},  {"glad", 0.5},         {"pleased", 0.6},    {"fine", 0.2},
}};

constexpr std::array<std::string_view, 9> kNegators{"not", "no", "never", "dont", "don't", "isnt", "isn't",
                                                    "wasnt", "wasn't"};
constexpr std::array<std::string_view, 6> kIntensifiers{"very", "really", "so", "extremely", "totally", "absolutely"};

struct IntentWords {
  std::string_view intent;
  std::vector<std::string_view> words;
};

// Checked in order; the intent with the most hits wins, ties go to the earlier one.
const std::vector<IntentWords>& intents() {
  static const std::vector<IntentWords> table{
      {"human", {"human", "person", "agent", "representative", "someone real", "real person", "operator", "manager"}},
      {"cancel", {"cancel", "unsubscribe", "stop my", "terminate"}},
      {"booking", {"book", "appointment", "schedule", "reschedule", "slot", "reservation", "reserve", "meeting",
                   "available", "tomorrow", "demo"}},
      {"complaint", {"complain", "complaint", "refund", "broken", "terrible", "worst", "angry", "unacceptable"}},
      {"pricing", {"price", "pricing", "cost", "how much", "quote", "plan", "discount", "cheap", "expensive"}},
      {"purchase", {"buy", "purchase", "order", "interested", "sign up", "subscribe", "trial"}},
      {"support", {"help", "issue", "error", "not working", "doesn't work", "problem", "bug", "login", "password"}},
      {"thanks", {"thanks", "thank you", "thx", "cheers"}},
      {"greeting", {"hello", "hi", "hey", "good morning", "good afternoon", "good evening"}},
  };
  return table;
}

std::vector<std::string> words(const std::string& folded) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : folded) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'' || (static_cast<unsigned char>(c) & 0x80) != 0) {
      cur += c;
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) {
    out.push_back(std::move(cur));
  }
  return out;
}

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// A phrase matches whole words: "hi" is in "hi there", not in "this".
bool containsPhrase(const std::string& padded, std::string_view phrase) {
  const std::string needle = " " + std::string(phrase);
  for (auto pos = padded.find(needle); pos != std::string::npos; pos = padded.find(needle, pos + 1)) {
    const auto after = pos + needle.size();
    if (after >= padded.size() || !std::isalnum(static_cast<unsigned char>(padded[after]))) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string Classification::sentimentLabel() const {
  if (sentiment <= -1.0 / 3) {
    return "negative";
  }
  if (sentiment >= 1.0 / 3) {
    return "positive";
  }
  return "neutral";
}

Classification classifyText(std::string_view text) {
  std::string folded(text.substr(0, kMaxBytes));
  for (auto& c : folded) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  Classification out;
  const auto tokens = words(folded);

  double sum = 0;
  int hits = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    for (const auto& w : kSentiment) {
      if (!startsWith(tokens[i], w.word)) {
        continue;
      }
      double weight = w.weight;
      // Look back two words for a negator or an intensifier ("not very good").
      for (std::size_t back = 1; back <= 2 && back <= i; ++back) {
        const auto& prev = tokens[i - back];
        if (std::find(kNegators.begin(), kNegators.end(), prev) != kNegators.end()) {
          weight = -weight * 0.7;
        } else if (std::find(kIntensifiers.begin(), kIntensifiers.end(), prev) != kIntensifiers.end()) {
          weight *= 1.3;
        }
      }
      sum += weight;
      ++hits;
      break;
    }
  }
  // Shouting and exclamation marks make a negative message more so.
  const auto bangs = std::count(folded.begin(), folded.end(), '!');
  if (hits > 0) {
    double score = sum / std::sqrt(static_cast<double>(hits));
    if (score < 0 && bangs >= 2) {
      score *= 1.2;
    }
    out.sentiment = std::clamp(score, -1.0, 1.0);
  }

  const std::string padded = " " + [&] {
    std::string joined;
    for (const auto& t : tokens) {
      joined += t + " ";
    }
    return joined;
  }();
  int best = 0;
  int total = 0;
  for (const auto& entry : intents()) {
    int n = 0;
    for (auto phrase : entry.words) {
      if (containsPhrase(padded, phrase)) {
        ++n;
      }
    }
    total += n;
    if (n > best) {
      best = n;
      out.intent = std::string(entry.intent);
    }
  }
  if (best > 0) {
    // More matching words, and fewer for rival intents, mean more confidence.
    out.confidence = std::min(1.0, 0.45 + 0.2 * best) * (static_cast<double>(best) / total);
  } else {
    out.confidence = tokens.empty() ? 0.0 : 0.2;
  }
  return out;
}

}  // namespace switchboard::aiagent
