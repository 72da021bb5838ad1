// Auto-responder decisions per second: the rule engine (fold the text, keyword index, regex
// rules, greeting and away checks, FAQ by BM25, reply templates) deciding on one message, with
// 100 and 1,000 keyword rules, regex rules or FAQ entries, and a mixed book. Storage and sending
// are not included (they are the pipeline's costs, measured by bench_storage and bench_kafka).
//
//   cmake --preset bench && cmake --build --preset bench --target bench_autoresponder
//   build-bench/tests/bench/bench_autoresponder

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "config_schema.hpp"
#include "json_config.hpp"
#include "rule_engine.hpp"

namespace {

namespace ar = switchboard::autoresponder;
namespace sdk = switchboard::sdk;
using V = sdk::ConfigValue;

// Deterministic pseudo-words: "k..." for keywords and topics, "f..." for filler no rule uses.
std::string word(char prefix, std::uint64_t n) {
  static const char* const kSyllables[] = {"ba", "ko", "ri", "tu", "me", "sa", "lo", "ne", "di", "va", "pe", "zu"};
  std::string w(1, prefix);
  do {
    w += kSyllables[n % 12];
    n /= 12;
  } while (n != 0);
  return w;
}

struct Lcg {
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  std::uint64_t next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return s >> 33;
  }
};

V str(const std::string& s) { return V::ofString(s); }
V list(std::vector<V> items) { return V::ofList(std::move(items)); }
V map(V::Map m) { return V::ofMap(std::move(m)); }

V reply(const std::string& text) { return map({{"text", str(text)}}); }

std::string filler(Lcg& rng, int words) {
  std::string out;
  for (int i = 0; i < words; ++i) {
    out += (out.empty() ? "" : " ") + word('f', rng.next() % 500);
  }
  return out;
}

V keywordRules(int n) {
  V::List rules;
  for (int i = 0; i < n; ++i) {
    rules.push_back(map({{"name", str("kw" + std::to_string(i))},
                         {"kind", str("keyword")},
                         {"keywords", list({str(word('k', 3 * i)), str(word('k', 3 * i + 1) + " " + word('k', 3 * i + 2))})},
                         {"reply", reply("Answer " + std::to_string(i) + " for {{contact.name|you}}.")}}));
  }
  return list(std::move(rules));
}

V regexRules(int n) {
  V::List rules;
  for (int i = 0; i < n; ++i) {
    rules.push_back(map({{"name", str("re" + std::to_string(i))},
                         {"kind", str("regex")},
                         {"pattern", str("\\bsku-?" + std::to_string(10000 + i) + "\\b")},
                         {"reply", reply("Item {{match.0}} is in stock.")}}));
  }
  return list(std::move(rules));
}

V faqEntries(int n) {
  Lcg rng;
  V::List entries;
  for (int i = 0; i < n; ++i) {
    // Each entry: two phrasings around three topic words of its own, plus shared common words.
    const auto a = word('k', 5000 + 3 * i), b = word('k', 5001 + 3 * i), c = word('k', 5002 + 3 * i);
    const auto common1 = word('c', rng.next() % 200), common2 = word('c', rng.next() % 200);
    entries.push_back(map({{"id", str("faq" + std::to_string(i))},
                           {"questions", list({str("how " + a + " " + common1 + " " + b), str(c + " " + common2 + " " + a)})},
                           {"answer", str("Answer to question " + std::to_string(i) + ".")}}));
  }
  return list(std::move(entries));
}

std::unique_ptr<ar::RuleEngine> engine(V::Map raw) {
  std::vector<std::string> errors;
  auto config = ar::applySchema(map(std::move(raw)), ar::configSchema(), "", errors);
  auto book = ar::parseRuleBook(config);
  if (!errors.empty() || !book.ok()) {
    std::abort();
  }
  return std::make_unique<ar::RuleEngine>(std::move(book).value(), 4096, 2);
}

// 64 messages of about 15 words; `hit` builds the part that may trigger a rule.
template <typename Hit>
std::vector<sdk::InboundMessage> messages(Hit hit) {
  Lcg rng;
  std::vector<sdk::InboundMessage> out;
  for (int i = 0; i < 64; ++i) {
    sdk::InboundMessage m;
    m.id = "mi_" + std::to_string(i);
    m.account = "15550000001";
    m.chat = "15557770001@s.whatsapp.net";
    m.senderName = "Dana";
    m.text = filler(rng, 6) + " " + hit(i, rng) + " " + filler(rng, 6) + "?";
    out.push_back(std::move(m));
  }
  return out;
}

void run(benchmark::State& state, const ar::RuleEngine& e, const std::vector<sdk::InboundMessage>& msgs) {
  sdk::Conversation conversation;
  conversation.id = "cv_1";
  conversation.account = "15550000001";
  std::size_t i = 0, replies = 0;
  for (auto _ : state) {
    const auto& m = msgs[i++ % msgs.size()];
    ar::Situation s;
    s.message = &m;
    s.conversation = &conversation;
    s.now = 1'705'312'800'000;  // a Monday, 10:00 UTC
    s.previousActivity = s.now - 60'000;
    auto d = e.decide(s);
    replies += d.replies.size();
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["replies_per_decision"] =
      benchmark::Counter(static_cast<double>(replies) / static_cast<double>(state.iterations()));
}

void BM_KeywordRules(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto e = engine({{"rules", keywordRules(n)}});
  auto msgs = messages([n](int i, Lcg& rng) {
    const int rule = static_cast<int>(rng.next() % static_cast<std::uint64_t>(n));
    return i % 2 == 0 ? word('k', 3 * rule + 1) + " " + word('k', 3 * rule + 2) : std::string("nothing");
  });
  run(state, *e, msgs);
}

void BM_RegexRules(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto e = engine({{"rules", regexRules(n)}});
  auto msgs = messages([n](int i, Lcg& rng) {
    return i % 2 == 0 ? "sku-" + std::to_string(10000 + rng.next() % static_cast<std::uint64_t>(n))
                      : std::string("sku-999999");
  });
  run(state, *e, msgs);
}

void BM_FaqEntries(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  auto e = engine({{"faq", map({{"entries", faqEntries(n)}, {"fallback", reply("An agent will answer.")}})}});
  auto msgs = messages([n](int, Lcg& rng) {
    const auto i = rng.next() % static_cast<std::uint64_t>(n);
    return word('k', 5000 + 3 * i) + " " + word('k', 5001 + 3 * i) + " " + word('c', rng.next() % 200);
  });
  run(state, *e, msgs);
}

void BM_MixedBook(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const V keywords = keywordRules(n), regexes = regexRules(50);
  auto rules = keywords.asList();
  rules.insert(rules.end(), regexes.asList().begin(), regexes.asList().end());
  rules.push_back(map({{"name", str("greet")}, {"kind", str("greeting")}, {"returning_after", V::ofInt(30LL * 86'400'000)},
                       {"continue", V::ofBool(true)}, {"reply", reply("Welcome back, {{contact.first_name|friend}}!")}}));
  rules.push_back(map({{"name", str("away")}, {"kind", str("away")}, {"schedule", str("office")},
                       {"reply", reply("Closed; back {{hours.next_open}}.")}}));
  V schedule = map({{"name", str("office")}, {"time_zone", str("Europe/Berlin")},
                    {"hours", list({map({{"days", list({str("weekdays")})}, {"from", str("09:00")}, {"to", str("17:00")}})})}});
  auto e = engine({{"rules", list(std::move(rules))},
                   {"schedules", list({schedule})},
                   {"faq", map({{"entries", faqEntries(n)}, {"fallback", reply("An agent will answer.")}})}});
  auto msgs = messages([n](int i, Lcg& rng) {
    const auto r = rng.next() % static_cast<std::uint64_t>(n);
    switch (i % 4) {
      case 0: return word('k', 3 * r);                                              // keyword
      case 1: return "sku-" + std::to_string(10000 + r % 50);                       // regex
      case 2: return word('k', 5000 + 3 * r) + " " + word('k', 5002 + 3 * r);       // FAQ
      default: return std::string("nothing at all");                                 // fallback
    }
  });
  run(state, *e, msgs);
}

}  // namespace

BENCHMARK(BM_KeywordRules)->Arg(100)->Arg(1000);
BENCHMARK(BM_RegexRules)->Arg(100)->Arg(1000);
BENCHMARK(BM_FaqEntries)->Arg(100)->Arg(1000);
BENCHMARK(BM_MixedBook)->Arg(1000);
BENCHMARK_MAIN();
