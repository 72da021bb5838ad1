// Routing decisions per second: the routing engine deciding for one conversation among N agents
// (200, and 1,000 carrying 100,000 open conversations between them), for several chains. Each
// decision adds a conversation to the chosen agent and closes one of a random other agent, so
// loads keep moving as they do in production. The agents have skills, languages, priorities,
// working hours in six time zones (everybody on shift at the benchmark's fixed instant).
//
//   build-bench/tests/bench/bench_routing

#include <benchmark/benchmark.h>

#include <random>

#include "learned_model.hpp"
#include "routing_config.hpp"
#include "routing_engine.hpp"

namespace sb = switchboard::sdk;
using namespace switchboard::routing;

namespace {

const std::vector<std::string> kSkills = {"billing", "tech", "shipping", "returns", "sales", "accounts"};
const std::vector<std::string> kZones = {"UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata",
                                         "America/Sao_Paulo", "Asia/Tokyo"};
const std::vector<std::string> kTexts = {
    "hello, I was charged twice on my invoice",  "the app crashes when I open it",
    "where is my package, tracking shows nothing", "I want to return a broken item",
    "what does the premium plan cost",            "I cannot log into my account"};

std::vector<sb::Agent> makeAgents(int n, int totalOpen) {
  std::vector<sb::Agent> out;
  std::mt19937 rng(1);
  for (int i = 0; i < n; ++i) {
    sb::Agent a;
    a.id = "agent" + std::to_string(100000 + i);
    a.status = sb::AgentStatus::Available;
    a.capacity = 2 * totalOpen / n + 10;
    a.openConversations = totalOpen / n;
    a.skills = {kSkills[static_cast<std::size_t>(i) % kSkills.size()], kSkills[rng() % kSkills.size()]};
    a.languages = {"en", i % 3 == 0 ? "es" : "pt"};
    a.priority = i % 10;
    a.timeZone = kZones[static_cast<std::size_t>(i) % kZones.size()];
    for (int d = 0; d < 7; ++d) {
      a.hours.push_back({d, 0, 24 * 60});  // on shift all week: every agent stays a candidate
    }
    out.push_back(std::move(a));
  }
  return out;
}

RoutingConfig configFor(const std::string& chain) {
  RoutingConfig c;
  c.defaultPolicy.name = "default";
  c.seed = 7;
  c.learning.enabled = true;
  for (const auto& s : kSkills) {
    c.skills.push_back({s, {s == "billing" ? "invoice" : s == "tech" ? "crashes" : s == "shipping" ? "package"
                            : s == "returns" ? "return" : s == "sales" ? "premium" : "account"},
                        {}});
  }
  std::size_t at = 0;
  while (at <= chain.size()) {
    auto comma = chain.find(',', at);
    const auto name = chain.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    StepConfig step;
    step.name = name;
    step.kind = name == "round_robin" ? StrategyKind::RoundRobin
                : name == "least_busy" ? StrategyKind::LeastBusy
                : name == "skills"     ? StrategyKind::Skills
                : name == "priority"   ? StrategyKind::Priority
                : name == "shift"      ? StrategyKind::Shift
                : name == "random"     ? StrategyKind::Random
                                       : StrategyKind::Learned;
    step.responseTimeWeight = name == "least_busy" ? 0.5 : 0;
    c.defaultPolicy.chain.push_back(step);
    if (comma == std::string::npos) {
      break;
    }
    at = comma + 1;
  }
  return c;
}

void runRouting(benchmark::State& state, const std::string& chain) {
  const int agents = static_cast<int>(state.range(0));
  const int open = static_cast<int>(state.range(1));
  RoutingKnowledge knowledge;
  // A model over every agent, trained on synthetic history, and response times for all.
  std::vector<LabelledConversation> history;
  auto times = std::make_shared<ResponseTimes>();
  sb::RoutingRequest request;
  request.agents = makeAgents(agents, open);
  for (int i = 0; i < 20 * agents; ++i) {
    const auto& a = request.agents[static_cast<std::size_t>(i % agents)];
    history.push_back({"h" + std::to_string(i), kTexts[static_cast<std::size_t>(i) % kTexts.size()], a.id});
  }
  for (const auto& a : request.agents) {
    (*times)[a.id] = 30000.0 + static_cast<double>(a.priority) * 1000.0;
  }
  knowledge.setModel("default", trainLearnedModel(history, 0.1, 10));
  knowledge.setResponseTimes("default", times);

  RoutingEngine engine(configFor(chain), knowledge);
  request.conversation.id = "c";
  request.conversation.account = "acct";
  request.contact = sb::Contact{};
  request.contact->language = "es";
  const sb::TimestampMs now = 1'717'000'000'000;  // 2024-05-29 16:26 UTC
  std::mt19937 rng(3);
  std::size_t text = 0;
  for (auto _ : state) {
    request.message.text = kTexts[text++ % kTexts.size()];
    request.contact->vip = text % 10 == 0;
    auto outcome = engine.route(request, now);
    if (!outcome.agent) {
      state.SkipWithError("no agent chosen");
      break;
    }
    for (auto& a : request.agents) {
      if (a.id == *outcome.agent) {
        ++a.openConversations;
        break;
      }
    }
    auto& closing = request.agents[rng() % request.agents.size()];
    closing.openConversations = std::max(0, closing.openConversations - 1);
    benchmark::DoNotOptimize(outcome);
  }
  state.counters["decisions/s"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void applySizes(benchmark::internal::Benchmark* b) {
  b->Args({200, 2000})->Args({1000, 100000})->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK_CAPTURE(runRouting, round_robin, std::string("round_robin"))->Apply(applySizes);
BENCHMARK_CAPTURE(runRouting, least_busy, std::string("least_busy"))->Apply(applySizes);
BENCHMARK_CAPTURE(runRouting, random, std::string("random"))->Apply(applySizes);
BENCHMARK_CAPTURE(runRouting, skills_least_busy, std::string("skills,least_busy"))->Apply(applySizes);
BENCHMARK_CAPTURE(runRouting, shift_skills_priority_least_busy, std::string("shift,skills,priority,least_busy"))
    ->Apply(applySizes);
BENCHMARK_CAPTURE(runRouting, learned, std::string("learned"))->Apply(applySizes);
BENCHMARK_CAPTURE(runRouting, skills_learned, std::string("skills,learned"))->Apply(applySizes);

BENCHMARK_MAIN();
