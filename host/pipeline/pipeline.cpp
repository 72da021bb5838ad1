#include "pipeline/pipeline.hpp"

#include <boost/asio/post.hpp>

#include <future>

#include "common/clock.hpp"
#include "common/logging.hpp"

namespace switchboard::host {
namespace {

bool isSend(sdk::CommandKind k) {
  switch (k) {
    case sdk::CommandKind::SendText:
    case sdk::CommandKind::SendMedia:
    case sdk::CommandKind::SendTemplate:
    case sdk::CommandKind::SendReaction:
    case sdk::CommandKind::MarkRead:
    case sdk::CommandKind::EditMessage:
    case sdk::CommandKind::DeleteMessage:
      return true;
    default:
      return false;
  }
}

SignalWrite::Table toHostTable(sdk::SignalTable t) {
  switch (t) {
    case sdk::SignalTable::Identity: return SignalWrite::Table::Identity;
    case sdk::SignalTable::Session: return SignalWrite::Table::Session;
    case sdk::SignalTable::PreKey: return SignalWrite::Table::PreKey;
    case sdk::SignalTable::SignedPreKey: return SignalWrite::Table::SignedPreKey;
    case sdk::SignalTable::SenderKey: return SignalWrite::Table::SenderKey;
  }
  return SignalWrite::Table::Session;
}

std::string commandKey(const sdk::OutboundCommand& c) { return c.tenant + "/" + c.commandId; }

// Commands kept in memory beyond outbound_queue while they wait for a slot (the rest wait in
// storage for the sweep): enough that a campaign's next commands follow without the sweep's delay.
constexpr std::size_t kWaitingHeadroom = 1000;

sdk::CommandResult makeResult(const sdk::OutboundCommand& c, sdk::ResultStage stage, std::string reason = {},
                              std::string code = {}) {
  sdk::CommandResult r;
  r.commandId = c.commandId;
  r.tenant = c.tenant;
  r.account = c.account;
  r.stage = stage;
  r.reason = std::move(reason);
  r.errorCode = std::move(code);
  r.timestamp = nowMs();
  return r;
}

// Calls a plugin entry point, turning a stray exception into an error.
template <typename Fn>
sdk::Status guarded(const std::string& what, Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return sdk::Error::permanent("plugin.exception", what + " threw: " + e.what());
  } catch (...) {
    return sdk::Error::permanent("plugin.exception", what + " threw a non-exception");
  }
}

}  // namespace

PipelineSettings PipelineSettings::fromConfig(const sdk::ConfigValue& s) {
  PipelineSettings out;
  out.inboundQueue = static_cast<std::size_t>(s["inbound_queue"].asInt(10'000));
  out.batchSize = static_cast<std::size_t>(s["batch_size"].asInt(256));
  out.batchLinger = std::chrono::milliseconds(s["batch_linger"].asInt(2));
  out.outboundInFlight = static_cast<std::size_t>(s["outbound_queue"].asInt(10'000));
  out.retryBackoff = std::chrono::milliseconds(s["retry_backoff"].asInt(200));
  out.tenantShare = static_cast<unsigned>(s["tenant_share"].asInt(75));
  return out;
}

Pipeline::Pipeline(boost::asio::io_context& io, PipelineSettings settings, std::shared_ptr<Store> store,
                   LocalEventBus& bus, MetricsRegistry& metrics, RecordEncoder encoder)
    : io_(io),
      settings_(settings),
      store_(std::move(store)),
      bus_(bus),
      metrics_(metrics),
      gate_(store_, &metrics_),
      encoder_(std::move(encoder)),
      queue_(settings.inboundQueue, settings.tenantShare),
      strand_(boost::asio::make_strand(io)),
      sweepTimer_(strand_),
      inFlightTenantLimit_(std::max<std::size_t>(
          1, settings.outboundInFlight * std::clamp(settings.tenantShare, 1U, 100U) / 100)),
      queueDepth_(metrics.gauge("pipeline_inbound_queued", "Messages waiting to be stored")),
      stored_(metrics.counter("pipeline_inbound_stored_total", "Messages stored")),
      duplicates_(metrics.counter("pipeline_inbound_duplicates_total", "Redelivered messages already stored")),
      rejected_(metrics.counter("pipeline_backpressure_total", "Messages refused because the queue was full")),
      tenantRejected_(metrics.counter("pipeline_tenant_backpressure_total",
                                      "Messages refused because their tenant held its share of the queue")),
      storeFailures_(metrics.counter("pipeline_store_failures_total", "Failed store attempts (retried)")),
      storeLatency_(metrics.histogram("pipeline_store_seconds", "Queue-to-commit latency of a message")),
      commandsDispatched_(metrics.counter("pipeline_commands_dispatched_total", "Commands handed to connectors")),
      pluginErrors_(metrics.counter("pipeline_plugin_errors_total", "Errors returned or thrown by plugins")) {}

Pipeline::~Pipeline() {
  if (!stopping_) {
    (void)drain(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  }
}

void Pipeline::start() {
  storeThread_ = std::thread([this] { storeLoop(); });
  // Sync plugins see every bus event, on their own strand.
  syncSubscription_ = bus_.subscribe("", [this](const sdk::Event& e) {
    if (plugins_ == nullptr || stopping_) {
      return;
    }
    for (const auto& inst : plugins_->instances()) {
      if (!inst->spec().servesTenant(e.tenant)) {
        continue;  // a tenant's instance never sees another tenant's events
      }
      if (auto* sync = inst->plugin() ? inst->plugin()->asSync() : nullptr) {
        boost::asio::post(inst->context()->strand(), [this, inst, sync, e] {
          auto s = guarded("sync " + inst->spec().name, [&] { return sync->onEvent(e); });
          if (!s.ok()) {
            pluginErrors_.inc();
            componentLogger("pipeline")->warn("sync plugin error instance={} error=\"{}\"", inst->spec().name,
                                              s.error().describe());
          }
        });
      }
    }
  });
  boost::asio::post(strand_, [this] { sweepPendingCommands(); });
}

bool Pipeline::drain(std::chrono::steady_clock::time_point deadline) {
  stopping_ = true;
  drainDeadlineNs_ = deadline.time_since_epoch().count();
  storeDraining_ = true;
  queue_.close();
  if (storeThread_.joinable()) {
    storeThread_.join();
  }
  // Cancel the sweep on its strand and wait for it, so no handler of ours is left queued when the
  // pipeline is destroyed (the io_context may outlive it).
  auto cancelled = std::make_shared<std::promise<void>>();
  auto done = cancelled->get_future();
  boost::asio::post(strand_, [this, cancelled] {
    sweepTimer_.cancel();
    cancelled->set_value();
  });
  if (!io_.stopped()) {
    done.wait_for(std::chrono::seconds(2));
  }
  syncSubscription_.reset();
  return unstoredAtExit_ == 0;
}

sdk::Status Pipeline::deliver(sdk::InboundMessage message, Done done) {
  return enqueue({std::move(message), std::move(done), std::chrono::steady_clock::now(), {}, {}});
}

sdk::Status Pipeline::deliverWithState(sdk::InboundDelivery delivery, Done done) {
  return enqueue({std::move(delivery.message), std::move(done), std::chrono::steady_clock::now(),
                  std::move(delivery.ciphertextHash), std::move(delivery.signal)});
}

sdk::Status Pipeline::enqueue(PendingInbound item) {
  if (overloaded_ && overloaded_()) {
    rejected_.inc();
    return sdk::Error::retriable("pipeline.outbox_full",
                                 "the Kafka outbox is over kafka.outbox_limit; do not ack, retry later");
  }
  const std::string tenant = item.message.tenant;
  switch (queue_.push(std::move(item))) {
    case InboundQueue::Push::Accepted:
      break;
    case InboundQueue::Push::Full:
      rejected_.inc();
      return sdk::Error::retriable("pipeline.full", "the inbound queue is full; do not ack, retry later");
    case InboundQueue::Push::TenantFull:
      rejected_.inc();
      tenantRejected_.inc();
      return sdk::Error::retriable("pipeline.full", "tenant \"" + tenant + "\" holds its share of the inbound queue (" +
                                                        std::to_string(queue_.tenantLimit()) +
                                                        " messages); do not ack, retry later");
    case InboundQueue::Push::Closed:
      rejected_.inc();
      return sdk::Error::retriable("pipeline.stopping", "the daemon is shutting down; do not ack, the network redelivers");
  }
  queueDepth_.set(static_cast<double>(queue_.size()));
  return sdk::okStatus();
}

void Pipeline::storeLoop() {
  auto log = componentLogger("pipeline");
  for (;;) {
    auto batch = queue_.popBatch(settings_.batchSize, settings_.batchLinger);
    queueDepth_.set(static_cast<double>(queue_.size()));
    if (batch.empty()) {
      if (queue_.closed()) {
        return;
      }
      continue;
    }
    auto backoff = settings_.retryBackoff;
    bool paused = false;
    for (;;) {
      std::vector<InboundWrite> writes;
      writes.reserve(batch.size());
      for (const auto& item : batch) {
        InboundWrite w;
        w.message = item.message;
        w.encode = encoder_.inbound;
        w.ciphertextHash = item.ciphertextHash;
        w.signal.reserve(item.signal.size());
        for (const auto& sw : item.signal) {
          w.signal.push_back({toHostTable(sw.table), item.message.account, sw.key, sw.value});
        }
        writes.push_back(std::move(w));
      }
      auto result = store_ ? store_->storeInbound(writes)
                           : sdk::Result<std::vector<InboundStored>>(
                                 sdk::Error::fatal("storage.none", "the pipeline runs without storage"));
      if (result.ok()) {
        if (paused) {
          log->info("storage is back; the pipeline resumes");
        }
        const auto now = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < batch.size(); ++i) {
          const auto& stored = result.value()[i];
          storeLatency_.observe(std::chrono::duration<double>(now - batch[i].enqueued).count());
          (stored.duplicate ? duplicates_ : stored_).inc();
          if (batch[i].done) {
            batch[i].done(sdk::okStatus());
          }
          if (!stored.duplicate) {
            afterStored(batch[i].message, stored);
          }
        }
        notifyOutbox();
        break;
      }
      storeFailures_.inc();
      const auto& err = result.error();
      const bool pastDeadline =
          storeDraining_ && std::chrono::steady_clock::now().time_since_epoch().count() > drainDeadlineNs_.load();
      if (!err.isRetriable() || pastDeadline) {
        // Not stored: the connector must not ack; the network will redeliver.
        log->error("messages not stored count={} error=\"{}\"", batch.size(), err.describe());
        if (pastDeadline) {
          unstoredAtExit_ += batch.size();
        }
        for (auto& item : batch) {
          if (item.done) {
            item.done(err);
          }
        }
        break;
      }
      if (!paused) {
        log->warn("storage unavailable, pipeline paused (nothing is acked) error=\"{}\"", err.describe());
        paused = true;
      }
      auto pause = backoff;
      if (storeDraining_) {
        // Never sleep past the shutdown deadline: the last attempt happens before it.
        const auto left = std::chrono::nanoseconds(drainDeadlineNs_.load() -
                                                   std::chrono::steady_clock::now().time_since_epoch().count());
        pause = std::max(std::chrono::milliseconds(1),
                         std::min(pause, std::chrono::duration_cast<std::chrono::milliseconds>(left)));
      }
      std::this_thread::sleep_for(pause);
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(30));
    }
  }
}

void Pipeline::afterStored(const sdk::InboundMessage& message, const InboundStored& stored) {
  sdk::Event e;
  e.type = "message.received";
  e.tenant = message.tenant;
  e.account = message.account;
  e.conversation = stored.conversation;
  e.subject = stored.id;
  e.timestamp = message.timestamp;
  bus_.publish(e);
  if (stored.newContact && !stored.contact.empty()) {
    announceNewContact(message, stored.contact);
  }
  if (plugins_ == nullptr) {
    return;
  }
  auto copy = message;
  copy.conversation = stored.conversation;
  copy.id = stored.id;
  boost::asio::post(io_, [this, m = std::move(copy)]() mutable { runPlugins(std::move(m)); });
}

void Pipeline::announceNewContact(const sdk::InboundMessage& message, const sdk::ContactId& contact) {
  sdk::Event e;
  e.type = "contact.created";
  e.tenant = message.tenant;
  e.account = message.account;
  e.subject = contact;
  e.attributes = {{"origin", "pipeline"}};
  if (store_) {
    // The contact as stored (phone, name), so Kafka consumers need no lookup.
    if (auto c = store_->tenant(message.tenant)->getContact(contact); c.ok() && c.value()) {
      e.attributes["phone"] = c.value()->phone;
      e.attributes["name"] = c.value()->name;
    }
  }
  e.timestamp = message.timestamp;
  event(e);
}

void Pipeline::runPlugins(sdk::InboundMessage message) {
  auto log = componentLogger("pipeline");
  std::vector<PluginInstancePtr> routers, responders;
  for (const auto& inst : plugins_->instances()) {
    if (inst->plugin() == nullptr || !inst->spec().servesTenant(message.tenant)) {
      continue;
    }
    if (inst->plugin()->asRouter() != nullptr) {
      routers.push_back(inst);
    }
    if (inst->plugin()->asResponder() != nullptr) {
      responders.push_back(inst);
    }
  }
  if (routers.empty() && responders.empty()) {
    return;
  }
  auto storage = store_ ? store_->tenant(message.tenant) : nullptr;
  if (!storage) {
    return;
  }
  auto respond = [this, responders, storage, message]() {
    auto conv = storage->getConversation(message.conversation);
    if (!conv.ok() || !conv.value()) {
      return;
    }
    for (const auto& inst : responders) {
      boost::asio::post(inst->context()->strand(), [this, inst, message, c = *conv.value()] {
        auto s = guarded("responder " + inst->spec().name,
                         [&] { return inst->plugin()->asResponder()->onInbound(message, c); });
        if (!s.ok()) {
          pluginErrors_.inc();
          componentLogger("pipeline")->warn("responder error instance={} error=\"{}\"", inst->spec().name,
                                            s.error().describe());
        }
      });
    }
  };
  if (routers.empty()) {
    respond();
    return;
  }
  // Routers run one after another on their own strands until one picks an agent; responders follow.
  // The function refers to itself weakly (a strong self-capture would be a cycle that leaks every
  // routed message); the queued handler holds it while a router runs.
  auto chain = std::make_shared<std::function<void(std::size_t)>>();
  *chain = [this, weakChain = std::weak_ptr(chain), routers, storage, message, respond, log](std::size_t index) {
    if (index >= routers.size()) {
      respond();
      return;
    }
    auto inst = routers[index];
    auto self = weakChain.lock();
    boost::asio::post(inst->context()->strand(), [this, self, inst, index, storage, message, respond, log] {
      auto conv = storage->getConversation(message.conversation);
      if (!conv.ok() || !conv.value() || !conv.value()->assignee.empty() ||
          conv.value()->status == sdk::ConversationStatus::Closed) {
        respond();
        return;
      }
      sdk::RoutingRequest req;
      req.conversation = *conv.value();
      req.message = message;
      if (auto contact = storage->getContact(req.conversation.contact); contact.ok()) {
        req.contact = contact.value();
      }
      if (auto agents = storage->listAgents(); agents.ok()) {
        req.agents = std::move(agents).value();
      }
      sdk::RoutingDecision decision;
      auto s = guarded("router " + inst->spec().name, [&]() -> sdk::Status {
        auto r = inst->plugin()->asRouter()->route(req);
        if (!r.ok()) {
          return r.takeError();
        }
        decision = std::move(r).value();
        return sdk::okStatus();
      });
      if (!s.ok()) {
        pluginErrors_.inc();
        log->warn("router error instance={} error=\"{}\"", inst->spec().name, s.error().describe());
      } else if (decision.agent) {
        if (auto a = storage->assignConversation(message.conversation, *decision.agent); a.ok()) {
          sdk::Event e;
          e.type = "conversation.assigned";
          e.tenant = message.tenant;
          e.account = message.account;
          e.conversation = message.conversation;
          e.subject = *decision.agent;
          // "agent" fills the event's assignment detail and with it the record's sb-assignee header.
          e.attributes = {{"agent", *decision.agent},
                          {"strategy", decision.strategy},
                          {"reason", decision.reason},
                          {"router", inst->spec().name}};
          e.timestamp = nowMs();
          event(e);
          respond();
          return;
        }
      }
      (*self)(index + 1);
    });
  };
  (*chain)(0);
}

void Pipeline::event(const sdk::Event& e) {
  bus_.publish(e);
  if (!store_ || !encoder_.event) {
    return;
  }
  auto record = encoder_.event(e);
  boost::asio::post(strand_, [this, record] {
    if (auto s = store_->enqueue({record}); !s.ok()) {
      componentLogger("pipeline")->error("event not queued for Kafka type={} error=\"{}\"", record.ceType,
                                         s.error().describe());
      return;
    }
    notifyOutbox();
  });
}

void Pipeline::result(const sdk::CommandResult& given) {
  auto r = given;
  if (r.timestamp == 0) {
    r.timestamp = nowMs();
  }
  if (r.stage == sdk::ResultStage::Sent || r.stage == sdk::ResultStage::Failed) {
    releaseInFlight(r.tenant, r.commandId);
  }
  if (store_) {
    auto record = encoder_.result ? encoder_.result(r) : OutboxRecord{};
    if (auto s = store_->recordResult(r, record); !s.ok()) {
      componentLogger("pipeline")->error("command result not recorded command_id={} stage={} error=\"{}\"",
                                         r.commandId, sdk::toString(r.stage), s.error().describe());
    } else {
      notifyOutbox();
    }
  }
  sdk::Event e;
  e.type = "command.result";
  e.tenant = r.tenant;
  e.account = r.account;
  e.subject = r.commandId;
  e.attributes = {{"stage", sdk::toString(r.stage)}, {"network_id", r.networkId}, {"reason", r.reason}};
  e.timestamp = r.timestamp;
  bus_.publish(e);
}

sdk::Result<sdk::CommandResult> Pipeline::submit(const sdk::OutboundCommand& command) {
  if (!store_) {
    return sdk::Error::fatal("storage.none", "the pipeline runs without storage");
  }
  // Another tenant's account first: "unknown account" from validate() would hide the reason.
  if (auto owner = gate_.checkOwner(command); owner.kind != CommandVerdict::Kind::Pass) {
    return *owner.error;
  }
  // A suspended tenant's accounts are disconnected: say why, not "unknown account". Not stored, so
  // the same command may be submitted again once the tenant is resumed.
  if (auto active = gate_.checkActive(command); active.kind != CommandVerdict::Kind::Pass) {
    if (active.error->isRetriable()) {
      return *active.error;
    }
    return makeResult(command, sdk::ResultStage::Failed, active.error->message, active.error->code);
  }
  SB_TRY(validate(command));
  auto stored = store_->storeCommand(command, "");
  if (!stored.ok()) {
    return stored.takeError();
  }
  if (!stored.value().inserted) {
    return stored.value().previous.value_or(makeResult(command, sdk::ResultStage::Accepted));
  }
  // Stored, so a resubmission is a duplicate whose one result is this failure.
  if (auto admitted = gate_.takeMessageQuota(command, nowMs()); admitted.kind != CommandVerdict::Kind::Pass) {
    auto failed = makeResult(command, sdk::ResultStage::Failed, admitted.error->message, admitted.error->code);
    result(failed);
    return failed;
  }
  auto accepted = makeResult(command, sdk::ResultStage::Accepted);
  if (encoder_.result) {
    (void)store_->enqueue({encoder_.result(accepted)});
    notifyOutbox();
  }
  dispatch(command);
  return accepted;
}

PluginInstancePtr Pipeline::connectorFor(const sdk::OutboundCommand& command) const {
  if (plugins_ == nullptr) {
    return nullptr;
  }
  for (const auto& inst : plugins_->instances()) {
    auto* c = inst->plugin() ? inst->plugin()->asConnector() : nullptr;
    if (c != nullptr && inst->spec().servesTenant(command.tenant) && c->handlesAccount(command.tenant, command.account)) {
      return inst;
    }
  }
  return nullptr;
}

sdk::Status Pipeline::validate(const sdk::OutboundCommand& c) {
  if (c.commandId.empty()) {
    return sdk::Error::permanent("command.invalid", "command_id is required");
  }
  if (isSend(c.kind)) {
    if (c.account.empty()) {
      return sdk::Error::permanent("command.invalid", std::string(sdk::toString(c.kind)) + ": account is required");
    }
    if (!connectorFor(c)) {
      if (runsElsewhere_ && runsElsewhere_(c)) {
        return sdk::okStatus();  // its owner's sweep sends it (scale-out)
      }
      if (connectorsStarting_) {
        return sdk::Error::retriable("command.connectors_starting",
                                     "no connector runs account \"" + c.account + "\" yet: plugins are starting");
      }
      return sdk::Error::permanent("command.unknown_account", "no connector runs account \"" + c.account +
                                                                  "\" of tenant \"" + c.tenant + "\"");
    }
    if (c.to.empty() && c.conversation.empty()) {
      return sdk::Error::permanent("command.invalid",
                                   std::string(sdk::toString(c.kind)) + ": `to` or `conversation` is required");
    }
    if (c.kind == sdk::CommandKind::SendText && c.text.empty()) {
      return sdk::Error::permanent("command.invalid", "send_text: text is empty");
    }
    if (c.kind == sdk::CommandKind::SendTemplate && c.templateName.empty()) {
      return sdk::Error::permanent("command.invalid", "send_template: template name is empty");
    }
    return sdk::okStatus();
  }
  auto storage = store_ ? store_->tenant(c.tenant) : nullptr;
  if (!storage) {
    return sdk::Error::retriable("storage.none", "no storage to validate the command against");
  }
  if (c.kind != sdk::CommandKind::SetAgentStatus) {
    auto conv = storage->getConversation(c.conversation);
    if (!conv.ok()) {
      return conv.takeError();
    }
    if (!conv.value()) {
      return sdk::Error::permanent("command.unknown_conversation",
                                   "no conversation \"" + c.conversation + "\" in tenant \"" + c.tenant + "\"");
    }
  }
  if (c.kind != sdk::CommandKind::Close) {
    auto agent = storage->getAgent(c.agent);
    if (!agent.ok()) {
      return agent.takeError();
    }
    if (!agent.value()) {
      return sdk::Error::permanent("command.unknown_agent",
                                   "no agent \"" + c.agent + "\" in tenant \"" + c.tenant + "\"");
    }
  }
  return sdk::okStatus();
}

void Pipeline::dispatch(const sdk::OutboundCommand& command) {
  announceOutbound(command);
  dispatchStored(command);
}

// Tells plugins (and, through `events`, Kafka consumers) that a message is on its way out and who
// produced it: a person (automatic=false) or a program named by `origin`. Responders use it to
// notice an agent answering. Once per newly stored command; the sweep's re-dispatches skip it.
void Pipeline::announceOutbound(const sdk::OutboundCommand& c) {
  if (!isSend(c.kind) || c.kind == sdk::CommandKind::MarkRead) {
    return;
  }
  sdk::Event e;
  e.type = sdk::kEventMessageOutbound;
  e.tenant = c.tenant;
  e.account = c.account;
  e.conversation = c.conversation;
  e.subject = c.commandId;
  e.attributes = {{"kind", sdk::toString(c.kind)},
                  {"to", c.to},
                  {"automatic", c.automatic ? "true" : "false"},
                  {"origin", c.origin}};
  e.timestamp = nowMs();
  event(e);
}

void Pipeline::dispatchStored(const sdk::OutboundCommand& command, bool fromWaiting) {
  {
    std::lock_guard lock(inFlightMutex_);
    const auto key = commandKey(command);
    if (!fromWaiting && waitingKeys_.count(key) != 0) {
      return;  // already in line for a slot
    }
    auto& tenantCount = inFlightByTenant_[command.tenant];
    if (inFlight_.size() >= settings_.outboundInFlight || tenantCount >= inFlightTenantLimit_) {
      // Stays pending in storage and waits in its tenant's line for a slot (or, past the line's
      // bound, for the sweep). The tenant's limit keeps room for the others during a campaign.
      if (tenantCount == 0) {
        inFlightByTenant_.erase(command.tenant);
      }
      // Past its share of the line a tenant's commands wait for the sweep, so the line always has
      // room for the other tenants.
      const std::size_t lineLimit = settings_.outboundInFlight + kWaitingHeadroom;
      const std::size_t tenantLineLimit =
          std::max<std::size_t>(1, lineLimit * std::clamp(settings_.tenantShare, 1U, 100U) / 100);
      if (waiting_.size() < lineLimit && waiting_.size(command.tenant) < tenantLineLimit && inFlight_.count(key) == 0 &&
          waitingKeys_.insert(key).second) {
        waiting_.push(command.tenant, command);
      }
      return;
    }
    if (!inFlight_.insert(commandKey(command)).second) {
      if (tenantCount == 0) {
        inFlightByTenant_.erase(command.tenant);
      }
      return;
    }
    ++tenantCount;
  }
  if (!isSend(command.kind)) {
    boost::asio::post(strand_, [this, command] {
      auto s = applyManagementCommand(command);
      result(s.ok() ? makeResult(command, sdk::ResultStage::Sent)
                    : makeResult(command, sdk::ResultStage::Failed, s.error().message, s.error().code));
    });
    return;
  }
  dispatchToConnector(command);
}

void Pipeline::dispatchToConnector(const sdk::OutboundCommand& command) {
  auto inst = connectorFor(command);
  if (!inst && (connectorsStarting_ || (runsElsewhere_ && runsElsewhere_(command)))) {
    // Left pending: the sweep tries again once the plugins run, or (scale-out) the sweep of the
    // daemon that runs the account sends it.
    releaseInFlight(command.tenant, command.commandId);
    return;
  }
  if (!inst) {
    result(makeResult(command, sdk::ResultStage::Failed,
                      "no connector runs account \"" + command.account + "\" any more", "command.unknown_account"));
    return;
  }
  commandsDispatched_.inc();
  postToConnector(inst, command);
}

void Pipeline::postToConnector(const PluginInstancePtr& inst, const sdk::OutboundCommand& command) {
  std::shared_ptr<ConnectorLine> line;
  {
    std::lock_guard lock(linesMutex_);
    auto& slot = lines_[inst.get()];
    if (!slot) {
      slot = std::make_shared<ConnectorLine>();
    }
    line = slot;
  }
  {
    std::lock_guard lock(line->mutex);
    line->commands.push(command.tenant, command);
  }
  // One handler per queued command; each runs whichever command's turn it is, so a campaign posted
  // first does not make a later command of another tenant wait for the whole campaign.
  boost::asio::post(inst->context()->strand(), [this, inst, line] {
    std::optional<sdk::OutboundCommand> next;
    {
      std::lock_guard lock(line->mutex);
      next = line->commands.pop();
    }
    {
      std::lock_guard lock(linesMutex_);
      std::lock_guard lineLock(line->mutex);
      if (auto it = lines_.find(inst.get()); it != lines_.end() && it->second == line && line->commands.empty()) {
        lines_.erase(it);  // no line is kept for a connector with nothing queued (it may be stopped)
      }
    }
    if (next) {
      executeOnConnector(inst, *next);
    }
  });
}

void Pipeline::executeOnConnector(const PluginInstancePtr& inst, const sdk::OutboundCommand& command) {
  if (inst->plugin() == nullptr) {
    releaseInFlight(command.tenant, command.commandId);  // stopped meanwhile: the sweep finds its successor
    return;
  }
  auto s = guarded("connector " + inst->spec().name, [&] { return inst->plugin()->asConnector()->execute(command); });
  if (s.ok()) {
    return;
  }
  pluginErrors_.inc();
  if (s.error().isRetriable()) {
    releaseInFlight(command.tenant, command.commandId);  // left pending: the sweep tries again
    return;
  }
  result(makeResult(command, sdk::ResultStage::Failed, s.error().message, s.error().code));
}

void Pipeline::releaseInFlight(const std::string& tenant, const std::string& commandId) {
  {
    std::lock_guard lock(inFlightMutex_);
    if (inFlight_.erase(tenant + "/" + commandId) == 0) {
      return;
    }
    if (auto it = inFlightByTenant_.find(tenant); it != inFlightByTenant_.end() && --it->second == 0) {
      inFlightByTenant_.erase(it);
    }
    if (waiting_.empty()) {
      return;
    }
  }
  // On the strand, not here: a dispatch may fail at once and release again (no recursion).
  boost::asio::post(strand_, [this] { dispatchWaiting(); });
}

void Pipeline::dispatchWaiting() {
  std::optional<sdk::OutboundCommand> next;
  {
    std::lock_guard lock(inFlightMutex_);
    if (inFlight_.size() >= settings_.outboundInFlight) {
      return;
    }
    next = waiting_.popEligible([this](const std::string& tenant) {
      auto it = inFlightByTenant_.find(tenant);
      return it == inFlightByTenant_.end() || it->second < inFlightTenantLimit_;
    });
    if (!next) {
      return;
    }
    waitingKeys_.erase(commandKey(*next));
  }
  if (!stopping_) {
    dispatchStored(*next, true);
  }
}

sdk::Status Pipeline::applyManagementCommand(const sdk::OutboundCommand& c) {
  auto storage = store_->tenant(c.tenant);
  sdk::Event e;
  e.tenant = c.tenant;
  e.account = c.account;
  e.conversation = c.conversation;
  e.timestamp = nowMs();
  e.attributes = {{"command_id", c.commandId}};
  switch (c.kind) {
    case sdk::CommandKind::Assign:
    case sdk::CommandKind::Transfer:
      SB_TRY(storage->assignConversation(c.conversation, c.agent));
      e.type = c.kind == sdk::CommandKind::Assign ? "conversation.assigned" : "conversation.transferred";
      e.subject = c.agent;
      e.attributes["agent"] = c.agent;
      break;
    case sdk::CommandKind::Close:
      SB_TRY(storage->setConversationStatus(c.conversation, sdk::ConversationStatus::Closed));
      e.type = "conversation.closed";
      e.subject = c.conversation;
      break;
    case sdk::CommandKind::SetAgentStatus: {
      sdk::AgentStatus status{};
      if (c.agentStatus == "available") {
        status = sdk::AgentStatus::Available;
      } else if (c.agentStatus == "busy") {
        status = sdk::AgentStatus::Busy;
      } else if (c.agentStatus == "away") {
        status = sdk::AgentStatus::Away;
      } else if (c.agentStatus == "offline") {
        status = sdk::AgentStatus::Offline;
      } else {
        return sdk::Error::permanent("command.invalid", "unknown agent status \"" + c.agentStatus +
                                                            "\"; allowed: available, busy, away, offline");
      }
      SB_TRY(storage->setAgentStatus(c.agent, status));
      e.type = "agent.status";
      e.subject = c.agent;
      e.attributes["status"] = c.agentStatus;
      break;
    }
    default:
      return sdk::Error::permanent("command.invalid", "not a management command");
  }
  event(e);
  return sdk::okStatus();
}

void Pipeline::sweepPendingCommands() {
  if (stopping_ || !store_) {
    return;
  }
  auto pending = store_->pendingCommands(static_cast<int>(std::min<std::size_t>(settings_.outboundInFlight, 1000)));
  if (pending.ok()) {
    for (const auto& c : pending.value()) {
      dispatchStored(c);
    }
  }
  scheduleSweep();
}

void Pipeline::scheduleSweep() {
  sweepTimer_.expires_after(std::chrono::seconds(2));
  sweepTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) {
      sweepPendingCommands();
    }
  });
}

void Pipeline::notifyOutbox() {
  if (outboxWritten_) {
    outboxWritten_();
  }
}

}  // namespace switchboard::host
