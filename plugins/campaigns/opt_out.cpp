#include "opt_out.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

namespace switchboard::campaigns {

std::string foldWord(const std::string& text) {
  std::size_t b = 0, e = text.size();
  auto trimmed = [](unsigned char c) { return std::isspace(c) != 0 || std::ispunct(c) != 0; };
  while (b < e && trimmed(static_cast<unsigned char>(text[b]))) {
    ++b;
  }
  while (e > b && trimmed(static_cast<unsigned char>(text[e - 1]))) {
    --e;
  }
  std::string out;
  out.reserve(e - b);
  for (std::size_t i = b; i < e; ++i) {
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  }
  return out;
}

StopWords::StopWords(const std::vector<std::string>& words) {
  for (const auto& w : words) {
    auto f = foldWord(w);
    if (!f.empty()) {
      words_.push_back(std::move(f));
    }
  }
}

std::optional<std::string> StopWords::match(const std::string& text) const {
  if (text.size() > 64) {
    return std::nullopt;  // a stop word is a short message of its own, not a word in a paragraph
  }
  const auto folded = foldWord(text);
  for (const auto& w : words_) {
    if (folded == w) {
      return w;
    }
  }
  return std::nullopt;
}

std::string OptOutRecord::toJson() const {
  return nlohmann::json{{"opted_out", optedOut}, {"source", source},         {"detail", detail},
                        {"at", at},              {"confirmations", confirmations}, {"changes", changes}}
      .dump();
}

std::optional<OptOutRecord> OptOutRecord::fromJson(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("opted_out") || !j["opted_out"].is_boolean()) {
    return std::nullopt;
  }
  OptOutRecord r;
  r.optedOut = j["opted_out"].get<bool>();
  auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : ""; };
  auto num = [&](const char* k) { return j.contains(k) && j[k].is_number_integer() ? j[k].get<long long>() : 0LL; };
  r.source = str("source");
  r.detail = str("detail");
  r.at = num("at");
  r.confirmations = static_cast<int>(num("confirmations"));
  r.changes = static_cast<int>(num("changes"));
  return r;
}

}  // namespace switchboard::campaigns
