#include "agent_turn.hpp"

#include <chrono>

#include "agent_commands.hpp"
#include "tool_catalog.hpp"
#include "tool_executor.hpp"

namespace switchboard::aiagent {

AgentTurn::AgentTurn(TurnServices services, AgentSpec agent, sdk::InboundMessage message,
                     sdk::Conversation conversation, std::shared_ptr<sdk::TenantStorage> storage,
                     std::vector<ChatMessage> messages)
    : services_(std::move(services)),
      agent_(std::move(agent)),
      message_(std::move(message)),
      conversation_(std::move(conversation)),
      storage_(std::move(storage)) {
  request_.model = services_.settings.provider.model;
  request_.temperature = services_.settings.provider.temperature;
  request_.maxTokens = services_.settings.provider.maxTokens;
  request_.messages = std::move(messages);
  request_.tools = toolsForRequest(agent_.tools);
}

std::int64_t AgentTurn::now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void AgentTurn::start() { call(); }

void AgentTurn::call() {
  ++round_;
  services_.model->complete(request_, [self = shared_from_this()](CallOutcome outcome) {
    if (*self->services_.alive) {
      self->onCompletion(std::move(outcome));
    }
  });
}

void AgentTurn::onCompletion(CallOutcome outcome) {
  const auto at = now();
  services_.log.record(*storage_, message_, conversation_, agent_.name, "reply", outcome, at);
  if (!outcome.completion.ok()) {
    end();
    return;  // logged and counted; the customer's message stays for a person to see
  }
  auto& completion = outcome.completion.value();
  if (completion.toolCalls.empty()) {
    if (completion.content.empty()) {
      services_.log.counter("ai_agent_empty_replies_total", "Model answers with neither text nor tool calls",
                            {{"agent", agent_.name}})
          .inc();
      end();
      return;
    }
    reply(completion.content);
    end();
    return;
  }
  // The tool calls and their results become part of the conversation the model sees next.
  ChatMessage assistant{"assistant", completion.content, completion.toolCalls, {}};
  for (std::size_t i = 0; i < assistant.toolCalls.size(); ++i) {
    if (assistant.toolCalls[i].id.empty()) {
      assistant.toolCalls[i].id = "call_" + std::to_string(round_) + "_" + std::to_string(i);
    }
  }
  request_.messages.push_back(assistant);
  const TurnScope scope{services_.ctx, *storage_, services_.settings, agent_, message_, conversation_, at};
  bool handedOver = false;
  for (std::size_t i = 0; i < assistant.toolCalls.size(); ++i) {
    const auto& call = assistant.toolCalls[i];
    ToolOutcome result;
    if (handedOver) {
      result.result = {{"ok", false}, {"error", "the conversation was handed over; nothing more runs"}};
    } else {
      result = runTool(scope, call, "r" + std::to_string(round_) + "t" + std::to_string(i));
    }
    const char* verdict = !result.executed ? "invalid" : result.result.value("ok", false) ? "ok" : "failed";
    services_.log.counter("ai_agent_tool_calls_total", "Tool calls by tool and result",
                          {{"tool", isKnownTool(call.name) ? call.name : std::string("unknown")}, {"result", verdict}})
        .inc();
    if (!result.executed) {
      services_.ctx.logger().info("tool call refused agent=" + agent_.name + " tool=" + call.name.substr(0, 64) +
                                  " conversation=" + conversation_.id + " reason=\"" +
                                  result.result.value("error", std::string()) + "\"");
    }
    handedOver = handedOver || result.handedOver;
    request_.messages.push_back(
        {"tool", result.result.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), {}, call.id});
  }
  if (handedOver) {
    services_.log.counter("ai_agent_handovers_total", "Conversations handed to a person",
                          {{"agent", agent_.name}, {"reason", "model"}})
        .inc();
    end();
    return;
  }
  if (round_ >= services_.settings.maxToolRounds) {
    services_.ctx.logger().warn("tool rounds exhausted agent=" + agent_.name + " conversation=" + conversation_.id);
    if (!completion.content.empty()) {
      reply(completion.content);
    }
    end();
    return;
  }
  auto allowed = services_.budget.allows(*storage_, message_.account, at);
  if (allowed.ok() && !allowed.value()) {
    services_.log.counter("ai_agent_skipped_total", "Messages not answered, by reason", {{"reason", "budget"}}).inc();
    end();
    return;
  }
  call();
}

void AgentTurn::end() {
  if (!ended_ && services_.ended) {
    ended_ = true;
    services_.ended();
  }
}

void AgentTurn::reply(const std::string& text) {
  const auto at = now();
  auto command = agentText(message_, conversation_, services_.ctx.instanceName(), agent_.name,
                           "reply" + std::to_string(round_), text, at);
  if (services_.sent) {
    services_.sent(command);
  }
  if (!submit(services_.ctx, command).ok()) {
    return;
  }
  services_.log.counter("ai_agent_replies_total", "Replies sent", {{"agent", agent_.name}}).inc();
  // Turns per conversation, for the hand-over after N turns.
  const auto key = "turns/" + conversation_.id;
  auto stored = storage_->getState(services_.ctx.instanceName(), key);
  long long turns = 0;
  if (stored.ok() && stored.value()) {
    turns = std::strtoll(stored.value()->c_str(), nullptr, 10);
  }
  (void)storage_->putState(services_.ctx.instanceName(), key, std::to_string(turns + 1));
}

}  // namespace switchboard::aiagent
