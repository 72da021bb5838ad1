// Fuzzes the AI agents' readers of untrusted input. The first byte picks the reader; the rest is
// the input: a chat completions answer (then every tool call's arguments checked against every
// tool's schema, as the plugin does before running one), an agent definition as the admin route
// receives it, an appointment time, a Retry-After value, a customer's message for the classifier.

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "agent_settings.hpp"
#include "appointment_time.hpp"
#include "chat_protocol.hpp"
#include "json_schema.hpp"
#include "lexicon_classifier.hpp"
#include "switchboard/sdk/retry.hpp"
#include "tool_catalog.hpp"

namespace ai = switchboard::aiagent;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {
      auto completion = ai::decodeChatCompletion(input);
      if (completion.ok()) {
        for (const auto& call : completion->toolCalls) {
          auto args = nlohmann::json::parse(call.arguments, nullptr, false);
          if (args.is_discarded()) {
            continue;
          }
          for (const auto& tool : ai::toolCatalog()) {
            (void)ai::validateAgainstSchema(args, tool.parameters);
          }
        }
      }
      break;
    }
    case 1: {
      auto j = nlohmann::json::parse(input, nullptr, false);
      if (!j.is_discarded()) {
        auto agent = ai::parseAgent(j);
        if (agent.ok()) {
          (void)ai::agentToJson(agent.value()).dump();
          if (agent->hours) {
            (void)ai::withinHours(*agent->hours, 1'700'000'000'000);
          }
        }
      }
      break;
    }
    case 2:
      if (auto t = ai::parseIsoTime(input)) {
        (void)ai::formatUtc(*t);
      }
      break;
    case 3:
      (void)switchboard::sdk::retry::parseRetryAfter(input, 1'700'000'000'000);
      break;
    default:
      (void)ai::classifyText(input);
      break;
  }
  return 0;
}
