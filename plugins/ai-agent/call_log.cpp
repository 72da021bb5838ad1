#include "call_log.hpp"

#include "tool_executor.hpp"

namespace switchboard::aiagent {

CallLog::CallLog(sdk::PluginContext& ctx, const Budget& budget, std::string model)
    : ctx_(ctx),
      budget_(budget),
      model_(std::move(model)),
      seconds_(ctx.metrics().histogram("ai_agent_call_seconds", "Model call latency, retries included")) {}

sdk::Counter& CallLog::counter(const std::string& name, const std::string& help, const sdk::Labels& labels) {
  // The host's registry hands back the same counter for the same name and labels.
  return ctx_.metrics().counter(name, help, labels);
}

void CallLog::record(sdk::TenantStorage& storage, const sdk::InboundMessage& m, const sdk::Conversation& c,
                     const std::string& agent, const std::string& purpose, const CallOutcome& outcome,
                     std::int64_t nowMs) {
  Usage usage;
  if (outcome.completion.ok()) {
    usage = outcome.completion.value().usage;
  }
  std::string spentTokens;
  if (usage.total() > 0) {
    auto total = budget_.charge(storage, m.account, nowMs, usage.promptTokens, usage.completionTokens);
    if (total.ok()) {
      spentTokens = std::to_string(total->tokens);
    } else {
      ctx_.logger().warn("model call not charged to the budget account=" + m.account + " error=\"" +
                         total.error().describe() + "\"");
    }
  }
  counter("ai_agent_calls_total", "Model calls by outcome", {{"agent", agent}, {"outcome", outcome.outcome}}).inc();
  if (usage.promptTokens > 0) {
    counter("ai_agent_tokens_total", "Tokens used", {{"agent", agent}, {"kind", "prompt"}})
        .inc(static_cast<double>(usage.promptTokens));
  }
  if (usage.completionTokens > 0) {
    counter("ai_agent_tokens_total", "Tokens used", {{"agent", agent}, {"kind", "completion"}})
        .inc(static_cast<double>(usage.completionTokens));
  }
  seconds_.observe(static_cast<double>(outcome.latency.count()) / 1000.0);
  std::map<std::string, std::string> attrs = {{"agent", agent},
                                              {"purpose", purpose},
                                              {"model", model_},
                                              {"outcome", outcome.outcome},
                                              {"attempts", std::to_string(outcome.attempts)},
                                              {"prompt_usage", std::to_string(usage.promptTokens)},
                                              {"completion_usage", std::to_string(usage.completionTokens)},
                                              {"latency_ms", std::to_string(outcome.latency.count())},
                                              {"cost", std::to_string(budget_.costOf(usage.promptTokens,
                                                                                     usage.completionTokens))}};
  // Counts of tokens under names without "token": the host withholds attributes named like
  // credentials from Kafka.
  if (!spentTokens.empty()) {
    attrs["day_usage"] = spentTokens;
  }
  if (!outcome.completion.ok()) {
    attrs["error"] = outcome.completion.error().code;
  }
  publishEvent(ctx_, m, c, "ai.call", m.id, attrs, nowMs);
  std::string line = "model call agent=" + agent + " purpose=" + purpose + " outcome=" + outcome.outcome +
                     " attempts=" + std::to_string(outcome.attempts) + " tokens=" + std::to_string(usage.total()) +
                     " latency_ms=" + std::to_string(outcome.latency.count()) + " conversation=" + c.id;
  if (!outcome.completion.ok()) {
    ctx_.logger().warn(line + " error=\"" + outcome.completion.error().describe() + "\"");
  } else {
    ctx_.logger().info(line);
  }
}

}  // namespace switchboard::aiagent
