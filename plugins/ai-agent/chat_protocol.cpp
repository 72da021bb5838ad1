#include "chat_protocol.hpp"

namespace switchboard::aiagent {
namespace {

constexpr std::size_t kMaxFieldBytes = 64 * 1024;

std::string stringField(const nlohmann::json& object, const char* name) {
  if (!object.is_object()) {
    return {};
  }
  auto it = object.find(name);
  if (it == object.end() || !it->is_string()) {
    return {};
  }
  const auto& s = it->get_ref<const std::string&>();
  return s.substr(0, kMaxFieldBytes);
}

std::int64_t countField(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || !it->is_number()) {
    return 0;
  }
  const double d = it->get<double>();
  // A negative or absurd count from a broken server must not poison the budget.
  if (!(d >= 0) || d > 1e9) {
    return 0;
  }
  return static_cast<std::int64_t>(d);
}

}  // namespace

std::string encodeChatRequest(const ChatRequest& request) {
  nlohmann::json messages = nlohmann::json::array();
  for (const auto& m : request.messages) {
    nlohmann::json j = {{"role", m.role}};
    if (!m.toolCalls.empty()) {
      j["content"] = m.content.empty() ? nlohmann::json(nullptr) : nlohmann::json(m.content);
      auto& calls = j["tool_calls"] = nlohmann::json::array();
      for (const auto& c : m.toolCalls) {
        calls.push_back({{"id", c.id}, {"type", "function"}, {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
      }
    } else {
      j["content"] = m.content;
    }
    if (!m.toolCallId.empty()) {
      j["tool_call_id"] = m.toolCallId;
    }
    messages.push_back(std::move(j));
  }
  nlohmann::json body = {{"model", request.model},
                         {"messages", std::move(messages)},
                         {"temperature", request.temperature},
                         {"max_tokens", request.maxTokens}};
  if (!request.tools.empty()) {
    body["tools"] = request.tools;
    body["tool_choice"] = "auto";
  }
  if (request.jsonResponse) {
    body["response_format"] = {{"type", "json_object"}};
  }
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

sdk::Result<ChatCompletion> decodeChatCompletion(const std::string& body) {
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return sdk::Error::permanent("ai.response_json", "the model server's answer is not JSON");
  }
  if (!doc.is_object()) {
    return sdk::Error::permanent("ai.response_shape", "the model server's answer is not a JSON object");
  }
  if (auto err = doc.find("error"); err != doc.end() && !err->is_null()) {
    std::string message = err->is_object() ? stringField(*err, "message") : err->is_string() ? err->get<std::string>() : "";
    return sdk::Error::permanent("ai.response_error", "the model server answered with an error: " + message.substr(0, 300));
  }
  auto choices = doc.find("choices");
  if (choices == doc.end() || !choices->is_array() || choices->empty() || !(*choices)[0].is_object()) {
    return sdk::Error::permanent("ai.response_shape", "the model server's answer has no choices");
  }
  const auto& choice = (*choices)[0];
  auto message = choice.find("message");
  if (message == choice.end() || !message->is_object()) {
    return sdk::Error::permanent("ai.response_shape", "the model server's first choice has no message");
  }
  ChatCompletion out;
  out.content = stringField(*message, "content");
  out.finishReason = stringField(choice, "finish_reason");
  out.model = stringField(doc, "model");
  if (auto calls = message->find("tool_calls"); calls != message->end() && calls->is_array()) {
    for (const auto& c : *calls) {
      if (out.toolCalls.size() >= kMaxToolCallsPerReply) {
        break;
      }
      ToolCall call;
      call.id = stringField(c, "id");
      if (c.is_object()) {
        if (auto fn = c.find("function"); fn != c.end() && fn->is_object()) {
          call.name = stringField(*fn, "name");
          auto args = fn->find("arguments");
          if (args != fn->end()) {
            // Most servers send a string of JSON; some send the object itself.
            call.arguments = args->is_string() ? args->get<std::string>().substr(0, kMaxFieldBytes)
                                               : args->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
          }
        }
      }
      out.toolCalls.push_back(std::move(call));
    }
  }
  if (auto usage = doc.find("usage"); usage != doc.end() && usage->is_object()) {
    out.usage.promptTokens = countField(*usage, "prompt_tokens");
    out.usage.completionTokens = countField(*usage, "completion_tokens");
  }
  return out;
}

}  // namespace switchboard::aiagent
