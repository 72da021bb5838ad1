#include "regex_pattern.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cctype>

#include "text_fold.hpp"

namespace switchboard::autoresponder {
namespace {

// Bounds per match. The match limit counts backtracking steps; the depth limit bounds nested
// backtracking; the heap limit (KiB) bounds PCRE2's own backtracking memory.
constexpr std::uint32_t kMatchLimit = 200'000;
constexpr std::uint32_t kDepthLimit = 10'000;
constexpr std::uint32_t kHeapLimitKiB = 2'048;

// One match block per thread, reused: allocating one per match was most of the cost of a decision
// with many regex rules. Patterns with more groups than it holds get their own.
constexpr std::uint32_t kSharedPairs = 32;
struct SharedMatchData {
  pcre2_match_data* data = pcre2_match_data_create(kSharedPairs, nullptr);
  SharedMatchData() = default;
  SharedMatchData(const SharedMatchData&) = delete;
  SharedMatchData& operator=(const SharedMatchData&) = delete;
  ~SharedMatchData() { pcre2_match_data_free(data); }
};

std::string pcreMessage(int code) {
  PCRE2_UCHAR buffer[256];
  const int n = pcre2_get_error_message(code, buffer, sizeof buffer);
  return n < 0 ? "PCRE2 error " + std::to_string(code) : std::string(reinterpret_cast<const char*>(buffer));
}

}  // namespace

struct RegexPattern::Compiled {
  pcre2_code* code = nullptr;
  pcre2_match_context* context = nullptr;
  std::vector<std::pair<std::uint32_t, std::string>> names;  // group number -> name
  std::uint32_t groups = 0;                                   // capture groups, without group 0

  Compiled() = default;
  Compiled(const Compiled&) = delete;
  Compiled& operator=(const Compiled&) = delete;
  ~Compiled() {
    pcre2_match_context_free(context);
    pcre2_code_free(code);
  }
};

std::string RegexPattern::requiredLiteral(const std::string& p) {
  // Only what is certain is read: the top level of a pattern without alternation, option groups
  // or quoting; anything else ends the current run of literal characters.
  std::string best, run;
  auto endRun = [&] {
    if (run.size() > best.size()) {
      best = run;
    }
    run.clear();
  };
  int depth = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      if (i + 1 >= p.size()) {
        return {};
      }
      const char n = p[++i];
      if (n == 'Q' || n == 'E') {
        return {};  // quoted text: not worth reading
      }
      if (std::isalnum(static_cast<unsigned char>(n)) || static_cast<unsigned char>(n) >= 0x80) {
        endRun();  // \d, \b, \x{..}, a backreference...
        continue;
      }
      if (depth == 0) {
        run += static_cast<char>(std::tolower(static_cast<unsigned char>(n)));
      }
      continue;
    }
    if (c == '[') {
      endRun();
      std::size_t j = i + 1;
      if (j < p.size() && p[j] == '^') {
        ++j;
      }
      if (j < p.size() && p[j] == ']') {
        ++j;  // a leading ']' is a member
      }
      while (j < p.size() && p[j] != ']') {
        j += p[j] == '\\' ? 2 : 1;
      }
      i = j;
      continue;
    }
    if (c == '(') {
      if (i + 1 < p.size() && p[i + 1] == '?' && i + 2 < p.size() &&
          (std::isalpha(static_cast<unsigned char>(p[i + 2])) || p[i + 2] == '-' || p[i + 2] == '^')) {
        return {};  // inline options such as (?i) or (?x) change what the text means
      }
      if (i + 1 < p.size() && p[i + 1] == '*') {
        return {};  // (*VERB)
      }
      endRun();
      ++depth;
      continue;
    }
    if (c == ')') {
      endRun();
      depth = std::max(0, depth - 1);
      continue;
    }
    if (c == '|') {
      if (depth == 0) {
        return {};  // top-level alternation: no single run is required
      }
      continue;
    }
    if (c == '?' || c == '*' || (c == '{' && i + 1 < p.size() && p[i + 1] == '0')) {
      if (!run.empty()) {
        run.pop_back();  // the quantified character is optional
      }
    }
    if (c == '?' || c == '*' || c == '+' || c == '{') {
      endRun();  // optional or repeated: what follows is not adjacent to the run
      if (c == '{') {
        while (i < p.size() && p[i] != '}') {
          ++i;  // the bounds are no text
        }
      }
      continue;
    }
    if (c == '.' || c == '^' || c == '$' || c == '}' || static_cast<unsigned char>(c) >= 0x80 || c < 0x20) {
      endRun();
      continue;
    }
    if (depth == 0) {
      run += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  endRun();
  return best.size() >= 2 ? best : std::string();
}

sdk::Result<RegexPattern> RegexPattern::compile(const std::string& pattern, bool caseSensitive) {
  auto c = std::make_shared<Compiled>();
  std::uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
  if (!caseSensitive) {
    options |= PCRE2_CASELESS;
  }
  int error = 0;
  PCRE2_SIZE offset = 0;
  c->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, &error, &offset,
                          nullptr);
  if (c->code == nullptr) {
    return sdk::Error::permanent("config.invalid", "invalid regular expression: " + pcreMessage(error) +
                                                       " at offset " + std::to_string(offset));
  }
  // JIT makes matching several times faster; where it is unavailable (MemoryDenyWriteExecute in
  // the systemd unit forbids executable memory) PCRE2 falls back to its interpreter by itself.
  (void)pcre2_jit_compile(c->code, PCRE2_JIT_COMPLETE);
  c->context = pcre2_match_context_create(nullptr);
  if (c->context == nullptr) {
    return sdk::Error::fatal("resource.exhausted", "out of memory creating a PCRE2 match context");
  }
  pcre2_set_match_limit(c->context, kMatchLimit);
  pcre2_set_depth_limit(c->context, kDepthLimit);
  pcre2_set_heap_limit(c->context, kHeapLimitKiB);

  pcre2_pattern_info(c->code, PCRE2_INFO_CAPTURECOUNT, &c->groups);
  std::uint32_t count = 0, entrySize = 0;
  PCRE2_SPTR table = nullptr;
  pcre2_pattern_info(c->code, PCRE2_INFO_NAMECOUNT, &count);
  pcre2_pattern_info(c->code, PCRE2_INFO_NAMEENTRYSIZE, &entrySize);
  pcre2_pattern_info(c->code, PCRE2_INFO_NAMETABLE, &table);
  for (std::uint32_t i = 0; i < count; ++i) {
    const auto* entry = table + static_cast<std::size_t>(i) * entrySize;
    const std::uint32_t group = (static_cast<std::uint32_t>(entry[0]) << 8) | entry[1];
    c->names.emplace_back(group, std::string(reinterpret_cast<const char*>(entry + 2)));
  }
  return RegexPattern(std::move(c), pattern, caseSensitive);
}

RegexPattern::Outcome RegexPattern::match(std::string_view text, Captures* captures,
                                          std::size_t maxCaptureBytes) const {
  thread_local SharedMatchData shared;
  const bool own = compiled_->groups + 1 > kSharedPairs || shared.data == nullptr;
  pcre2_match_data* data = own ? pcre2_match_data_create_from_pattern(compiled_->code, nullptr) : shared.data;
  if (data == nullptr) {
    return Outcome::LimitExceeded;
  }
  const int rc = pcre2_match(compiled_->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, data,
                             compiled_->context);
  Outcome outcome = Outcome::NoMatch;
  if (rc > 0) {
    outcome = Outcome::Match;
    if (captures != nullptr) {
      captures->clear();
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(data);
      auto groupText = [&](std::uint32_t g) -> std::string {
        if (static_cast<int>(g) >= rc || ov[2 * g] == PCRE2_UNSET || ov[2 * g + 1] < ov[2 * g]) {
          return {};
        }
        return std::string(utf8Prefix(text.substr(ov[2 * g], ov[2 * g + 1] - ov[2 * g]), maxCaptureBytes));
      };
      for (std::uint32_t g = 0; g <= compiled_->groups; ++g) {
        captures->emplace_back(std::to_string(g), groupText(g));
      }
      for (const auto& [group, name] : compiled_->names) {
        captures->emplace_back(name, groupText(group));
      }
    }
  } else if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
             rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_NOMEMORY) {
    outcome = Outcome::LimitExceeded;
  }
  if (own) {
    pcre2_match_data_free(data);
  }
  return outcome;
}

}  // namespace switchboard::autoresponder
