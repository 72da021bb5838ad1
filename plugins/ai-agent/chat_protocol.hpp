#pragma once

// The OpenAI-compatible chat completions wire format, as hosted providers, vLLM, llama.cpp's server
// and Ollama serve it at POST <base>/chat/completions: the request we build and the response we
// read. The response comes from the network: parsing is bounded and every surprise is an error
// value, never an exception.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"

namespace switchboard::aiagent {

/// A function call the model asked for. `arguments` is the raw text the model wrote (JSON, or not).
struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;
};

struct ChatMessage {
  std::string role;  ///< system, user, assistant, tool
  std::string content;
  std::vector<ToolCall> toolCalls;  ///< assistant messages that called tools
  std::string toolCallId;           ///< tool messages: the call answered
};

struct Usage {
  std::int64_t promptTokens = 0;
  std::int64_t completionTokens = 0;
  std::int64_t total() const { return promptTokens + completionTokens; }
};

struct ChatCompletion {
  std::string content;
  std::vector<ToolCall> toolCalls;
  std::string finishReason;
  Usage usage;
  std::string model;
};

struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  nlohmann::json tools = nlohmann::json::array();  ///< [{type: function, function: {name, description, parameters}}]
  double temperature = 0.2;
  int maxTokens = 512;
  bool jsonResponse = false;  ///< ask for a JSON object (response_format)
};

inline constexpr std::size_t kMaxToolCallsPerReply = 8;

/// The request body.
std::string encodeChatRequest(const ChatRequest& request);

/// Reads a response body: the first choice's text and tool calls, and the token usage. Errors:
/// "ai.response_json" (not JSON), "ai.response_shape" (no choices / no message), "ai.response_error"
/// (an error object from the server). A tool call with unreadable fields is kept with what could be
/// read, so the model can be told what was wrong with it.
sdk::Result<ChatCompletion> decodeChatCompletion(const std::string& body);

}  // namespace switchboard::aiagent
