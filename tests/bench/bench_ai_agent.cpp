// The AI agent plugin's CPU per customer message, without the model: the lexicon classifier, the
// chat completions request (system prompt, 12 messages of memory, 7 tools), and reading an answer
// with a tool call whose arguments are checked against the tool's schema.

#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "chat_protocol.hpp"
#include "json_schema.hpp"
#include "lexicon_classifier.hpp"
#include "tool_catalog.hpp"

namespace ai = switchboard::aiagent;

namespace {

const char* kMessage =
    "Hi, I'm interested in your business plan for about 20 people. What is the price, and could we book a "
    "demo on Thursday? The last tool we tried was really frustrating.";

void BM_Classify(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(ai::classifyText(kMessage));
  }
}
BENCHMARK(BM_Classify);

void BM_EncodeRequest(benchmark::State& state) {
  ai::ChatRequest r;
  r.model = "gpt-4o-mini";
  r.messages.push_back({"system", std::string(1500, 'p'), {}, {}});
  for (int i = 0; i < 12; ++i) {
    r.messages.push_back({i % 2 ? "assistant" : "user", kMessage, {}, {}});
  }
  r.tools = ai::toolsForRequest({"lookup_contact", "update_contact", "create_ticket", "handover", "book_appointment",
                                 "move_appointment", "cancel_appointment"});
  for (auto _ : state) {
    benchmark::DoNotOptimize(ai::encodeChatRequest(r));
  }
}
BENCHMARK(BM_EncodeRequest);

void BM_DecodeAndValidateToolCall(benchmark::State& state) {
  const std::string body =
      R"({"id":"x","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant",)"
      R"("content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"update_contact",)"
      R"("arguments":"{\"lead_score\":80,\"add_tags\":[\"lead\",\"qualified\"],\"fields\":{\"budget\":\"5000 EUR\"}}"}}]},)"
      R"("finish_reason":"tool_calls"}],"usage":{"prompt_tokens":812,"completion_tokens":31,"total_tokens":843}})";
  const auto& schema = ai::findTool("update_contact")->parameters;
  for (auto _ : state) {
    auto c = ai::decodeChatCompletion(body);
    auto args = nlohmann::json::parse(c->toolCalls[0].arguments);
    benchmark::DoNotOptimize(ai::validateAgainstSchema(args, schema));
  }
}
BENCHMARK(BM_DecodeAndValidateToolCall);

}  // namespace

BENCHMARK_MAIN();
