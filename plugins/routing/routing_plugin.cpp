#include "routing_plugin.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>

#include "config_schema.hpp"

namespace switchboard::routing {

namespace {

sb::TimestampMs nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr sb::TimestampMs kDayMs = 86'400'000;

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    out += (out.empty() ? "" : ",") + s;
  }
  return out;
}

// The newest text the customer sent in a conversation: what a waiting conversation is routed on.
std::string lastCustomerText(sb::TenantStorage& storage, const sb::ConversationId& id) {
  auto messages = storage.listMessages(id, 20, std::nullopt);
  if (messages.ok()) {
    for (const auto& m : messages.value()) {
      if (!m.outbound && !m.text.empty()) {
        return m.text;
      }
    }
  }
  return {};
}

}  // namespace

RoutingPlugin::RoutingPlugin(sb::PluginContext& ctx)
    : ctx_(ctx),
      drainTimer_(ctx.executor()),
      trainTimer_(ctx.executor()),
      responseTimer_(ctx.executor()),
      queued_(ctx.metrics().counter("routing_queued_total", "Conversations nobody could take, queued")),
      claimsLost_(ctx.metrics().counter("routing_claims_lost_total",
                                        "Agents picked whose capacity a concurrent claim took first")),
      storageErrors_(ctx.metrics().counter("routing_storage_errors_total", "Storage calls that failed")),
      queueDepth_(ctx.metrics().gauge("routing_queue_depth", "Conversations waiting for an agent")),
      decisionSeconds_(ctx.metrics().histogram("routing_decision_seconds", "Time to decide and claim")) {}

RoutingPlugin::~RoutingPlugin() { stop(); }

sb::ConfigSchema RoutingPlugin::schema() { return routingSchema(); }

sb::Status RoutingPlugin::start() {
  // The schema checked types and names; this checks what it cannot (time zones, dates, options
  // given to the wrong strategy) and refuses to start with the key path of the first problem.
  auto config = parseRoutingConfig(ctx_.config(), "plugins." + ctx_.instanceName() + ".config");
  if (!config.ok()) {
    return config.takeError();
  }
  engine_.emplace(std::move(config).value(), knowledge_);
  const auto& c = engine_->config();

  // Only what can free an agent or settle a waiting conversation; message events are not needed.
  subscriptions_.push_back(ctx_.events().subscribe("agent.", [this](const sb::Event& e) { onEvent(e); }));
  subscriptions_.push_back(ctx_.events().subscribe("conversation.", [this](const sb::Event& e) { onEvent(e); }));
  worker_.start();
  restoreQueue(sb::kDefaultTenant);
  schedule(drainTimer_, c.drainEvery, &RoutingPlugin::drainTick);
  responseTimesTick();  // now, then on schedule
  if (c.learning.enabled) {
    trainingTick();
  }
  ctx_.logger().info("routing started policies=" + std::to_string(c.policies.size() + 1) +
                     " learning=" + (c.learning.enabled ? "on" : "off"));
  return {};
}

void RoutingPlugin::stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  *alive_ = false;
  subscriptions_.clear();
  drainTimer_.cancel();
  trainTimer_.cancel();
  responseTimer_.cancel();
  worker_.stop();
}

void RoutingPlugin::schedule(boost::asio::steady_timer& timer, std::chrono::milliseconds every,
                             void (RoutingPlugin::*tick)()) {
  timer.expires_after(every);
  timer.async_wait([this, tick, alive = alive_](const boost::system::error_code& ec) {
    // Cancelled, or fired just before stop() ran: the plugin may be gone by now, so touch nothing.
    if (ec || !*alive) {
      return;
    }
    (this->*tick)();
  });
}

void RoutingPlugin::drainTick() {
  drainQueue();
  schedule(drainTimer_, engine_->config().drainEvery, &RoutingPlugin::drainTick);
}

void RoutingPlugin::trainingTick() {
  for (const auto& tenant : tenants_) {
    worker_.post("train/" + tenant, [this, tenant] { trainNow(tenant); });
  }
  schedule(trainTimer_, engine_->config().learning.retrainEvery, &RoutingPlugin::trainingTick);
}

void RoutingPlugin::responseTimesTick() {
  for (const auto& tenant : tenants_) {
    worker_.post("response-times/" + tenant, [this, tenant] { refreshResponseTimesNow(tenant); });
  }
  schedule(responseTimer_, engine_->config().responseTimesEvery, &RoutingPlugin::responseTimesTick);
}

sb::Result<sb::RoutingDecision> RoutingPlugin::route(const sb::RoutingRequest& request) {
  if (!engine_) {
    return sb::Error::permanent("routing.not_started", "the routing plugin was asked to route before it started");
  }
  const auto started = std::chrono::steady_clock::now();
  const auto& tenant = request.conversation.tenant;
  if (tenants_.insert(tenant).second && engine_->config().learning.enabled) {
    worker_.post("train/" + tenant, [this, tenant] { trainNow(tenant); });
  }
  auto storage = ctx_.storage(tenant);
  auto claim = decideAndClaim(request, storage.get());
  decisionSeconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (claim.error) {
    // The conversation waits; the queue offers it again once storage answers.
    enqueue(request, claim.outcome, false);
    return *claim.error;
  }
  sb::RoutingDecision decision;
  decision.strategy = claim.outcome.strategy;
  decision.reason = claim.outcome.reason;
  if (!claim.agent) {
    enqueue(request, claim.outcome, true);
    return decision;
  }
  queue_.remove(tenant, request.conversation.id);
  queueDepth_.set(static_cast<double>(queue_.size()));
  decision.agent = claim.agent;
  ctx_.metrics()
      .counter("routing_decisions_total", "Conversations assigned, by deciding strategy",
               {{"strategy", decision.strategy}})
      .inc();
  return decision;
}

RoutingPlugin::Claim RoutingPlugin::decideAndClaim(const sb::RoutingRequest& request, sb::TenantStorage* storage) {
  Claim out;
  const auto& policy = engine_->policyFor(request);
  std::optional<sb::AgentId> sticky;
  if (policy.sticky && storage != nullptr && request.contact) {
    sticky = stickyAgent(*storage, request.contact->id);
  }
  std::set<sb::AgentId> lost;
  for (int attempt = 0; attempt < engine_->config().claimAttempts; ++attempt) {
    out.outcome = engine_->route(request, nowMs(), sticky, lost);
    warnUnknownZones(out.outcome);
    if (!out.outcome.agent) {
      return out;
    }
    const auto& agent = *out.outcome.agent;
    // The engine saw a snapshot of the agents' loads; the claim checks capacity again inside
    // one transaction, so a conversation routed at the same moment elsewhere (another daemon,
    // an operator) cannot push this agent past capacity.
    auto claimed = storage != nullptr ? storage->claimConversation(request.conversation.id, agent)
                                      : sb::Result<bool>(true);
    if (!claimed.ok()) {
      if (claimed.error().code == "storage.unsupported") {
        claimed = true;  // a storage without claims: the host's assignment is all there is
      } else {
        storageErrors_.inc();
        out.error = claimed.error();
        return out;
      }
    }
    if (claimed.value()) {
      out.agent = agent;
      if (storage != nullptr && request.contact && anySticky()) {
        rememberAgent(*storage, request.contact->id, agent);
      }
      return out;
    }
    claimsLost_.inc();
    lost.insert(agent);
  }
  out.outcome.agent.reset();
  out.outcome.strategy = "overflow";
  out.outcome.reason = "every agent picked was taken by concurrent claims (" + std::to_string(lost.size()) + ")";
  return out;
}

void RoutingPlugin::enqueue(const sb::RoutingRequest& request, const RoutingOutcome& outcome, bool fromInbound) {
  const auto& conv = request.conversation;
  auto [position, added] = queue_.add(conv.tenant, conv.id, outcome.manual);
  queueDepth_.set(static_cast<double>(queue_.size()));
  if (!added) {
    return;
  }
  queued_.inc();
  sb::Event e;
  e.type = "conversation.queued";
  e.tenant = conv.tenant;
  e.account = conv.account;
  e.conversation = conv.id;
  e.subject = conv.id;
  e.timestamp = nowMs();
  e.attributes = {{"position", std::to_string(position)},
                  {"policy", outcome.policy},
                  {"strategy", outcome.strategy},
                  {"reason", outcome.reason},
                  {"manual", outcome.manual ? "true" : "false"},
                  {"suggestions", joined(outcome.suggestions)}};
  ctx_.inbound().event(e);
  ctx_.logger().info("conversation queued conversation=" + conv.id + " position=" + std::to_string(position) +
                     " reason=\"" + outcome.reason + "\"");

  if (!fromInbound || outcome.waitMessage.empty() || request.message.chat.empty()) {
    return;
  }
  std::string text = outcome.waitMessage;
  if (auto at = text.find("{position}"); at != std::string::npos) {
    text.replace(at, 10, std::to_string(position));
  }
  sb::OutboundCommand reply;
  reply.commandId = "routing-wait:" + request.message.id;  // one notice per message, even if redelivered
  reply.tenant = conv.tenant;
  reply.account = conv.account;
  reply.kind = sb::CommandKind::SendText;
  reply.to = request.message.chat;
  reply.conversation = conv.id;
  reply.text = std::move(text);
  reply.automatic = true;
  reply.origin = ctx_.instanceName();
  if (auto sent = ctx_.outbound().submit(reply); !sent.ok()) {
    ctx_.logger().warn("wait message not sent conversation=" + conv.id + " error=\"" + sent.error().describe() +
                       "\"");
  }
}

void RoutingPlugin::emitAssigned(const sb::Conversation& conversation, const sb::AgentId& agent,
                                 const RoutingOutcome& outcome) {
  sb::Event e;
  e.type = "conversation.assigned";
  e.tenant = conversation.tenant;
  e.account = conversation.account;
  e.conversation = conversation.id;
  e.subject = conversation.id;
  e.timestamp = nowMs();
  e.attributes = {{"agent", agent},
                  {"previous_agent", ""},
                  {"strategy", outcome.strategy},
                  {"policy", outcome.policy},
                  {"reason", outcome.reason},
                  {"router", ctx_.instanceName()}};
  ctx_.inbound().event(e);
}

void RoutingPlugin::drainQueue() {
  if (!engine_ || stopped_) {
    return;
  }
  for (const auto& tenant : queue_.tenants()) {
    auto storage = ctx_.storage(tenant);
    if (!storage) {
      continue;
    }
    auto agents = storage->listAgents();
    if (!agents.ok()) {
      storageErrors_.inc();
      continue;
    }
    // Nobody available with room: nothing can be assigned, however many are waiting.
    auto anyRoom = [&] {
      return std::any_of(agents.value().begin(), agents.value().end(), [](const sb::Agent& a) {
        return a.status == sb::AgentStatus::Available && a.openConversations < a.capacity;
      });
    };
    for (const auto& entry : queue_.waiting(tenant)) {
      if (!anyRoom()) {
        break;
      }
      if (entry.manual) {
        continue;
      }
      auto conv = storage->getConversation(entry.conversation);
      if (!conv.ok()) {
        storageErrors_.inc();
        break;  // try again on the next tick
      }
      if (!conv.value() || !conv.value()->assignee.empty() || conv.value()->status == sb::ConversationStatus::Closed) {
        queue_.remove(tenant, entry.conversation);  // gone, assigned by someone else, or closed
        continue;
      }
      sb::RoutingRequest request;
      request.conversation = *conv.value();
      if (auto contact = storage->getContact(request.conversation.contact); contact.ok()) {
        request.contact = contact.value();
      }
      request.message.tenant = tenant;
      request.message.account = request.conversation.account;
      request.message.conversation = request.conversation.id;
      request.message.chat = request.conversation.peer;
      request.message.text = lastCustomerText(*storage, request.conversation.id);
      request.agents = agents.value();
      auto claim = decideAndClaim(request, storage.get());
      if (claim.error) {
        break;
      }
      if (!claim.agent) {
        continue;  // still nobody for this one; others (other policies, teams) may fit
      }
      queue_.remove(tenant, entry.conversation);
      emitAssigned(request.conversation, *claim.agent, claim.outcome);
      ctx_.metrics()
          .counter("routing_decisions_total", "Conversations assigned, by deciding strategy",
                   {{"strategy", claim.outcome.strategy}})
          .inc();
      // The next waiting conversation sees this assignment in the agent's load.
      for (auto& a : agents.value()) {
        if (a.id == *claim.agent) {
          ++a.openConversations;
        }
      }
    }
  }
  queueDepth_.set(static_cast<double>(queue_.size()));
}

void RoutingPlugin::onEvent(const sb::Event& e) {
  if (stopped_) {
    return;
  }
  const bool freesAgent = e.type == "agent.status" || e.type == "conversation.closed" ||
                          e.type == "conversation.unassigned" || e.type == "conversation.transferred";
  if (e.type == "conversation.assigned" || e.type == "conversation.transferred" || e.type == "conversation.closed") {
    // Taken care of elsewhere (an operator, another router): no longer waiting.
    if (queue_.remove(e.tenant, e.conversation)) {
      queueDepth_.set(static_cast<double>(queue_.size()));
    }
  }
  // An operator's assignment teaches sticky routing who the contact's agent is.
  const bool byOperator = e.attributes.count("router") == 0;
  if (anySticky() && byOperator && (e.type == "conversation.assigned" || e.type == "conversation.transferred")) {
    if (auto storage = ctx_.storage(e.tenant)) {
      auto conv = storage->getConversation(e.conversation);
      if (conv.ok() && conv.value() && !conv.value()->contact.empty() && !conv.value()->assignee.empty()) {
        rememberAgent(*storage, conv.value()->contact, conv.value()->assignee);
      }
    }
  }
  if (freesAgent && queue_.size() > 0) {
    drainQueue();
  }
}

std::optional<sb::AgentId> RoutingPlugin::stickyAgent(sb::TenantStorage& storage, const sb::ContactId& contact) {
  auto v = storage.getState(ctx_.instanceName(), "sticky/" + contact);
  if (!v.ok()) {
    storageErrors_.inc();
    return std::nullopt;
  }
  return v.value();
}

void RoutingPlugin::rememberAgent(sb::TenantStorage& storage, const sb::ContactId& contact, const sb::AgentId& agent) {
  if (auto s = storage.putState(ctx_.instanceName(), "sticky/" + contact, agent); !s.ok()) {
    storageErrors_.inc();
  }
}

bool RoutingPlugin::anySticky() const {
  if (!engine_) {
    return false;
  }
  if (engine_->config().defaultPolicy.sticky) {
    return true;
  }
  for (const auto& p : engine_->config().policies) {
    if (p.sticky) {
      return true;
    }
  }
  return false;
}

void RoutingPlugin::restoreQueue(const sb::TenantId& tenant) {
  // After a restart, the open conversations nobody holds are the ones still waiting. Which of
  // them a manual policy holds is not known any more; drainQueue asks the engine again, and a
  // manual outcome simply leaves the conversation where it is.
  auto storage = ctx_.storage(tenant);
  if (!storage) {
    return;
  }
  sb::ConversationFilter filter;
  filter.assignee = "";
  filter.status = sb::ConversationStatus::Open;
  filter.limit = 10000;
  auto waiting = storage->listConversations(filter);
  if (!waiting.ok()) {
    storageErrors_.inc();
    return;
  }
  // listConversations is newest first; the queue is oldest first.
  for (auto it = waiting.value().rbegin(); it != waiting.value().rend(); ++it) {
    (void)queue_.add(tenant, it->id, false);
  }
  queueDepth_.set(static_cast<double>(queue_.size()));
}

void RoutingPlugin::warnUnknownZones(const RoutingOutcome& outcome) {
  for (const auto& z : outcome.unknownZones) {
    if (warnedZones_.insert(z).second) {
      ctx_.logger().warn("agent has a time zone the tz database does not know; treated as off shift agent=" + z);
    }
  }
}

void RoutingPlugin::trainNow(const sb::TenantId& tenant) {
  const auto& learning = engine_->config().learning;
  auto storage = ctx_.storage(tenant);
  if (!storage) {
    return;
  }
  const auto began = std::chrono::steady_clock::now();
  auto history = storage->listAssignedConversations(nowMs() - learning.historyDays * kDayMs, learning.maxConversations,
                                                    learning.messagesPerConversation);
  if (!history.ok()) {
    storageErrors_.inc();
    ctx_.logger().warn("learned routing: cannot read the assignment history tenant=" + tenant + " error=\"" +
                       history.error().describe() + "\"");
    return;
  }
  std::vector<LabelledConversation> examples;
  for (const auto& c : history.value()) {
    if (!learning.closedOnly || c.closed) {
      examples.push_back({c.id, c.text, c.agent});
    }
  }
  auto model = trainLearnedModel(examples, learning.holdout, static_cast<std::size_t>(learning.minExamples));
  const sb::Labels labels{{"tenant", tenant}};
  ctx_.metrics().counter("routing_learned_trainings_total", "Trainings of the learned strategy", labels).inc();
  if (!model) {
    ctx_.logger().info("learned routing: not enough history to train tenant=" + tenant +
                       " conversations=" + std::to_string(examples.size()) +
                       " needed=" + std::to_string(learning.minExamples));
    return;
  }
  knowledge_.setModel(tenant, model);
  ctx_.metrics()
      .gauge("routing_learned_accuracy", "Learned strategy's accuracy on held-out conversations (0..1)", labels)
      .set(model->accuracy);
  ctx_.metrics()
      .gauge("routing_learned_baseline_accuracy", "Accuracy of always choosing the most frequent agent", labels)
      .set(model->majorityAccuracy);
  ctx_.metrics()
      .gauge("routing_learned_examples", "Conversations the learned strategy was trained on", labels)
      .set(static_cast<double>(model->trainedOn));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
  ctx_.logger().info("learned routing: model trained tenant=" + tenant + " conversations=" +
                     std::to_string(model->trainedOn) + " agents=" +
                     std::to_string(model->classifier.labels().size()) + " held_out=" +
                     std::to_string(model->heldOut) + " accuracy=" + std::to_string(model->accuracy) +
                     " majority_accuracy=" + std::to_string(model->majorityAccuracy) +
                     " chance_accuracy=" + std::to_string(model->chanceAccuracy) + " ms=" + std::to_string(ms.count()));
}

void RoutingPlugin::refreshResponseTimesNow(const sb::TenantId& tenant) {
  auto storage = ctx_.storage(tenant);
  if (!storage) {
    return;
  }
  const auto days = engine_->config().responseTimesDays;
  auto stats = storage->agentResponseStats(nowMs() - days * kDayMs, 5000);
  if (!stats.ok()) {
    if (stats.error().code != "storage.unsupported") {
      storageErrors_.inc();
    }
    return;
  }
  auto times = std::make_shared<ResponseTimes>();
  for (const auto& s : stats.value()) {
    (*times)[s.agent] = s.averageResponseMs;
  }
  knowledge_.setResponseTimes(tenant, std::move(times));
}

}  // namespace switchboard::routing
