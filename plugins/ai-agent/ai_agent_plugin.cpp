#include "ai_agent_plugin.hpp"

#include <nlohmann/json.hpp>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>

#include "admin_api.hpp"
#include "agent_commands.hpp"
#include "agent_selector.hpp"
#include "agent_turn.hpp"
#include "appointment_time.hpp"
#include "conversation_memory.hpp"
#include "tool_executor.hpp"

namespace switchboard::aiagent {
namespace {

constexpr std::size_t kMaxTracked = 100'000;
constexpr int kMaxRemindersPerSweep = 200;

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Bounded memory: a set that grows past its limit starts again (what it forgets is also in storage).
template <typename C>
void bound(C& c) {
  if (c.size() > kMaxTracked) {
    c.clear();
  }
}

sdk::Result<Settings> settingsOrError(const sdk::ConfigValue& config) { return parseSettings(config); }

}  // namespace

AiAgentPlugin::AiAgentPlugin(sdk::PluginContext& ctx) : ctx_(ctx), parsed_(settingsOrError(ctx.config())) {
  if (parsed_.ok()) {
    settings_ = parsed_.value();
  }
  budget_ = std::make_unique<Budget>(settings_.budget, ctx_.instanceName());
  directory_ = std::make_unique<AgentDirectory>(ctx_.instanceName(), settings_.agents);
  log_ = std::make_unique<CallLog>(ctx_, *budget_, settings_.provider.model);
}

AiAgentPlugin::~AiAgentPlugin() { *alive_ = false; }

sdk::ConfigSchema AiAgentPlugin::schema() { return configSchema(); }

std::int64_t AiAgentPlugin::now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

sdk::Status AiAgentPlugin::start() {
  if (!parsed_.ok()) {
    return sdk::Error::permanent("config.invalid",
                                 "plugin \"" + ctx_.instanceName() + "\" configuration: " + parsed_.error().message);
  }
  sdk::HttpClientOptions options;
  options.verifyTls = settings_.provider.verifyTls;
  options.caFile = settings_.provider.caFile;
  options.timeout = settings_.provider.timeout;
  options.maxResponseBytes = 1024 * 1024;
  auto http = ctx_.httpClient(options);
  if (!http.ok()) {
    return http.takeError();
  }
  model_ = std::make_shared<ModelClient>(ctx_.executor(), http.value(), settings_.provider, [this] { return now(); });
  auto handler = [this, alive = alive_](const sdk::Event& e) {
    if (*alive) {
      onEvent(e);
    }
  };
  subscriptions_.push_back(ctx_.events().subscribe(sdk::kEventMessageOutbound, handler));
  subscriptions_.push_back(ctx_.events().subscribe("command.result", handler));
  if (!settings_.adminToken.empty()) {
    auto route = ctx_.addHttpRoute("admin", [this, alive = alive_](sdk::HttpRouteRequest req,
                                                                   std::function<void(sdk::HttpRouteResponse)> respond) {
      if (!*alive) {
        respond({503, "application/json", R"({"error":{"code":"stopped","message":"the plugin is stopping"}})"});
        return;
      }
      respond(handleAdmin(ctx_, *directory_, *budget_, settings_.adminToken, req, now()));
    });
    if (route.ok()) {
      adminRoute_ = std::move(route).value();
    } else {
      ctx_.logger().warn("admin route not served: " + route.error().describe());
    }
  }
  reminderTimer_ = std::make_unique<boost::asio::steady_timer>(ctx_.executor());
  scheduleReminders();
  // The base URL and the model, never the key.
  ctx_.logger().info("AI agents started agents=" + std::to_string(settings_.agents.size()) + " model=" +
                     settings_.provider.model + " base_url=" + settings_.provider.baseUrl +
                     " classifier=" + settings_.classifier);
  return {};
}

void AiAgentPlugin::stop() {
  *alive_ = false;
  subscriptions_.clear();
  adminRoute_.reset();
  if (model_) {
    model_->stop();
  }
  if (reminderTimer_) {
    reminderTimer_->cancel();
  }
  ctx_.logger().info("AI agents stopped");
}

sdk::Status AiAgentPlugin::skip(const char* reason) {
  log_->counter("ai_agent_skipped_total", "Messages not answered, by reason", {{"reason", reason}}).inc();
  return {};
}

void AiAgentPlugin::onEvent(const sdk::Event& e) {
  if (e.type == sdk::kEventMessageOutbound) {
    auto automatic = e.attributes.find("automatic");
    if (automatic != e.attributes.end() && automatic->second == "false" && !e.conversation.empty()) {
      bound(humanReplies_);
      humanReplies_[e.conversation] = now();
    }
    return;
  }
  if (e.type == "command.result") {
    auto network = e.attributes.find("network_id");
    if (network != e.attributes.end() && !network->second.empty() && ourCommands_.count(e.tenant + "/" + e.subject)) {
      bound(ourNetworkIds_);
      ourNetworkIds_.insert(e.account + "|" + network->second);
    }
  }
}

sdk::Result<bool> AiAgentPlugin::humanIsAnswering(sdk::TenantStorage& storage, const sdk::Conversation& conversation,
                                                  const std::vector<sdk::StoredMessage>& history, std::int64_t at) {
  const auto window = settings_.humanOverride.count();
  if (window == 0) {
    return false;
  }
  if (auto it = humanReplies_.find(conversation.id); it != humanReplies_.end() && at - it->second < window) {
    return true;
  }
  for (const auto& m : history) {
    if (m.outbound && !m.automatic && at - m.timestamp < window) {
      return true;
    }
  }
  auto stored = storage.getState(ctx_.instanceName(), "override/" + conversation.id);
  if (!stored.ok()) {
    return stored.takeError();
  }
  if (stored.value()) {
    const auto since = std::strtoll(stored.value()->c_str(), nullptr, 10);
    return at - since < window;
  }
  return false;
}

sdk::Status AiAgentPlugin::onInbound(const sdk::InboundMessage& m, const sdk::Conversation& conversation) {
  if (!settings_.accounts.empty() &&
      std::find(settings_.accounts.begin(), settings_.accounts.end(), m.account) == settings_.accounts.end()) {
    return {};
  }
  if (endsWith(m.chat, "@broadcast") || endsWith(m.chat, "@newsletter")) {
    return skip("broadcast");
  }
  if ((m.isGroup || endsWith(m.chat, "@g.us")) && !settings_.replyInGroups) {
    return skip("group");
  }
  auto storage = ctx_.storage(m.tenant);
  if (!storage) {
    return skip("no_storage");
  }
  tenants_.insert(m.tenant);
  const auto at = now();
  if (m.fromMe) {
    if (ourNetworkIds_.count(m.account + "|" + m.networkId) != 0) {
      return skip("own_message");
    }
    // Typed by a person on a linked device: the agents stay out, and remember it after a restart.
    humanReplies_[conversation.id] = at;
    (void)storage->putState(ctx_.instanceName(), "override/" + conversation.id, std::to_string(at));
    return skip("from_me");
  }
  if (m.kind != sdk::MessageKind::Text && !(m.media && !m.media->caption.empty())) {
    return skip("kind");
  }
  if (messageText(m).empty()) {
    return skip("empty");
  }
  if (conversation.botPaused) {
    return skip("bot_paused");
  }
  auto enabled = directory_->conversationEnabled(*storage, conversation.id);
  SB_TRY(enabled);
  if (!enabled.value()) {
    return skip("conversation_disabled");
  }
  auto handedOver = storage->getState(ctx_.instanceName(), "handover/" + conversation.id);
  SB_TRY(handedOver);
  if (handedOver.value()) {
    return skip("handed_over");
  }
  if (auto busy = busy_.find(conversation.id); busy != busy_.end()) {
    // One turn at a time per conversation: the newest waiting message is answered once the
    // current turn ends, with the whole conversation in memory (so an older waiting one is
    // answered by it too).
    if (busy->second) {
      (void)skip("superseded");
    }
    busy->second = Pending{m, conversation, storage};
    return {};
  }
  busy_.emplace(conversation.id, std::nullopt);
  proceed(Pending{m, conversation, storage}, at);
  return {};
}

void AiAgentPlugin::proceed(Pending p, std::int64_t at) {
  auto history = p.storage->listMessages(p.conversation.id, std::max(1, settings_.memoryMessages), std::nullopt);
  auto human = history.ok() ? humanIsAnswering(*p.storage, p.conversation, history.value(), at)
                            : sdk::Result<bool>(history.error());
  if (!human.ok()) {
    ctx_.logger().warn("conversation unreadable conversation=" + p.conversation.id + " error=\"" +
                       human.error().describe() + "\"");
    (void)skip("storage");
    turnEnded(p.conversation.id);
    return;
  }
  if (human.value()) {
    (void)skip("human_override");
    turnEnded(p.conversation.id);
    return;
  }
  auto lexicon = classifyText(messageText(p.message));
  if (settings_.classifier == "model") {
    auto allowed = budget_->allows(*p.storage, p.message.account, at);
    if (allowed.ok() && allowed.value()) {
      classifyWithModel(std::move(p), lexicon, std::move(history).value());
      return;
    }
  }
  decide(p, lexicon, history.value());
}

void AiAgentPlugin::turnEnded(const std::string& conversation) {
  auto it = busy_.find(conversation);
  if (it == busy_.end()) {
    return;
  }
  auto next = std::move(it->second);
  busy_.erase(it);
  if (!next) {
    return;
  }
  // The conversation as it is now: a turn may have changed its tags, assignee or switches.
  if (auto fresh = next->storage->getConversation(conversation); fresh.ok() && fresh.value()) {
    next->conversation = *fresh.value();
  }
  boost::asio::post(ctx_.executor(), [this, alive = alive_, next = std::move(*next)] {
    if (*alive) {
      (void)onInbound(next.message, next.conversation);
    }
  });
}

void AiAgentPlugin::classifyWithModel(Pending p, Classification lexicon, std::vector<sdk::StoredMessage> history) {
  ChatRequest request;
  request.model = settings_.provider.model;
  request.temperature = 0;
  request.maxTokens = 64;
  request.jsonResponse = true;
  request.messages.push_back(
      {"system",
       "Classify the customer's message. Answer with one JSON object: {\"intent\": one of greeting, pricing, "
       "booking, cancel, complaint, human, purchase, support, thanks, other; \"sentiment\": a number from -1 "
       "(angry) to 1 (delighted); \"confidence\": a number from 0 to 1}.",
       {},
       {}});
  request.messages.push_back({"user", messageText(p.message).substr(0, kMaxMemoryMessageBytes), {}, {}});
  model_->complete(request, [this, alive = alive_, p = std::move(p), lexicon,
                             history = std::move(history)](CallOutcome outcome) {
    if (!*alive) {
      return;
    }
    log_->record(*p.storage, p.message, p.conversation, "classifier", "classify", outcome, now());
    Classification cls = lexicon;
    if (outcome.completion.ok()) {
      auto j = nlohmann::json::parse(outcome.completion.value().content, nullptr, false);
      if (j.is_object() && j.contains("intent") && j["intent"].is_string() && j.contains("sentiment") &&
          j["sentiment"].is_number()) {
        cls.intent = j["intent"].get<std::string>().substr(0, 32);
        cls.sentiment = std::clamp(j["sentiment"].get<double>(), -1.0, 1.0);
        cls.confidence = j.contains("confidence") && j["confidence"].is_number()
                             ? std::clamp(j["confidence"].get<double>(), 0.0, 1.0)
                             : 0.5;
        cls.source = "model";
      }
    }
    decide(p, cls, history);
  });
}

void AiAgentPlugin::noteClassification(const Pending& p, const Classification& cls, std::int64_t at) {
  char sentiment[48];
  std::snprintf(sentiment, sizeof sentiment, "%.2f", cls.sentiment);
  char confidence[48];
  std::snprintf(confidence, sizeof confidence, "%.2f", cls.confidence);
  publishEvent(ctx_, p.message, p.conversation, "message.classified", p.message.id,
               {{"intent", cls.intent},
                {"sentiment", sentiment},
                {"sentiment_label", cls.sentimentLabel()},
                {"confidence", confidence},
                {"source", cls.source}},
               at);
  // As tags too, so routing strategies and filters can use them; earlier values are replaced.
  auto tags = p.conversation.tags;
  tags.erase(std::remove_if(tags.begin(), tags.end(),
                            [](const std::string& t) { return t.rfind("intent:", 0) == 0 || t.rfind("sentiment:", 0) == 0; }),
             tags.end());
  tags.push_back("intent:" + cls.intent);
  tags.push_back("sentiment:" + cls.sentimentLabel());
  if (tags != p.conversation.tags) {
    if (auto s = p.storage->setConversationTags(p.conversation.id, tags); !s.ok()) {
      ctx_.logger().warn("classification tags not stored conversation=" + p.conversation.id + " error=\"" +
                         s.error().describe() + "\"");
    }
  }
}

std::string AiAgentPlugin::handoverReason(const AgentSpec& agent, const Pending& p, const Classification& cls) {
  const auto& r = agent.handover;
  if (r.onRequest && cls.intent == "human") {
    return "the customer asked for a person";
  }
  if (r.negativeSentiment > -1.0 && cls.sentiment <= r.negativeSentiment) {
    return "negative sentiment";
  }
  if (r.minConfidence > 0 && cls.confidence < r.minConfidence) {
    return "low confidence";
  }
  if (r.maxTurns > 0) {
    auto turns = p.storage->getState(ctx_.instanceName(), "turns/" + p.conversation.id);
    if (turns.ok() && turns.value() && std::strtoll(turns.value()->c_str(), nullptr, 10) >= r.maxTurns) {
      return "turn limit";
    }
  }
  return {};
}

void AiAgentPlugin::decide(const Pending& p, const Classification& cls, const std::vector<sdk::StoredMessage>& history) {
  const auto at = now();
  noteClassification(p, cls, at);
  auto view = directory_->load(*p.storage);
  if (!view.ok()) {
    ctx_.logger().warn("agents unreadable: " + view.error().describe());
    (void)skip("storage");
    turnEnded(p.conversation.id);
    return;
  }
  const auto* agent = selectAgent(view->agents, view->disabled, p.message, p.conversation, cls, at);
  if (!agent) {
    (void)skip("no_agent");
    turnEnded(p.conversation.id);
    return;
  }
  const AgentSpec chosen = *agent;
  if (auto reason = handoverReason(chosen, p, cls); !reason.empty()) {
    turnEnded(p.conversation.id);  // a message waiting meanwhile finds the hand-over and stays out
    const TurnScope scope{ctx_, *p.storage, settings_, chosen, p.message, p.conversation, at};
    auto done = handOver(scope, reason, "", "");
    if (!done.ok()) {
      ctx_.logger().error("hand-over failed conversation=" + p.conversation.id + " error=\"" +
                          done.error().describe() + "\"");
      return;
    }
    log_->counter("ai_agent_handovers_total", "Conversations handed to a person",
                  {{"agent", chosen.name}, {"reason", reason}})
        .inc();
    ctx_.logger().info("handed over agent=" + chosen.name + " conversation=" + p.conversation.id + " reason=\"" +
                       reason + "\"");
    return;
  }
  auto allowed = budget_->allows(*p.storage, p.message.account, at);
  if (!allowed.ok()) {
    ctx_.logger().warn("budget unreadable: " + allowed.error().describe());
    (void)skip("storage");
    turnEnded(p.conversation.id);
    return;
  }
  if (!allowed.value()) {
    const auto key = p.message.account + "/" + Budget::dayOf(at);
    if (budgetWarned_.insert(key).second) {
      bound(budgetWarned_);
      ctx_.logger().warn("daily model budget spent; no more model calls today account=" + p.message.account);
      publishEvent(ctx_, p.message, p.conversation, "ai.budget_exhausted", p.message.account,
                   {{"day", Budget::dayOf(at)}}, at);
    }
    (void)skip("budget");
    turnEnded(p.conversation.id);
    return;
  }
  std::optional<sdk::Contact> contact;
  if (!p.conversation.contact.empty()) {
    if (auto c = p.storage->getContact(p.conversation.contact); c.ok() && c.value()) {
      contact = *c.value();
    }
  }
  std::vector<ChatMessage> messages{{"system", systemMessage(chosen, contact, at), {}, {}}};
  for (auto& m : memoryMessages(history, p.message, static_cast<std::size_t>(std::max(1, settings_.memoryMessages)))) {
    messages.push_back(std::move(m));
  }
  TurnServices services{ctx_, settings_, model_, *log_, *budget_, alive_,
                        [this](const sdk::OutboundCommand& c) {
                          bound(ourCommands_);
                          ourCommands_.insert(c.tenant + "/" + c.commandId);
                        },
                        [this, conversation = p.conversation.id] { turnEnded(conversation); }};
  std::make_shared<AgentTurn>(std::move(services), chosen, p.message, p.conversation, p.storage, std::move(messages))
      ->start();
}

void AiAgentPlugin::scheduleReminders() {
  reminderTimer_->expires_after(settings_.appointments.checkInterval);
  reminderTimer_->async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) {
      return;
    }
    const auto at = now();
    for (const auto& tenant : tenants_) {
      sendDueReminders(tenant, at);
    }
    scheduleReminders();
  });
}

void AiAgentPlugin::sendDueReminders(const sdk::TenantId& tenant, std::int64_t at) {
  auto storage = ctx_.storage(tenant);
  if (!storage || settings_.appointments.reminderBefore.count() == 0) {
    return;
  }
  auto due = storage->scanState(ctx_.instanceName(), "reminders/", kMaxRemindersPerSweep);
  if (!due.ok()) {
    return;
  }
  for (const auto& [key, value] : due.value()) {
    // "reminders/<due ms, 15 digits>/<appointment id>": in order, so the first not yet due ends it.
    const auto dueAt = std::strtoll(key.substr(10, 15).c_str(), nullptr, 10);
    if (dueAt > at) {
      break;
    }
    (void)storage->deleteState(ctx_.instanceName(), key);
    auto a = nlohmann::json::parse(value, nullptr, false);
    if (!a.is_object()) {
      continue;
    }
    // The booking as it is now: a moved or cancelled appointment has its own (or no) reminder.
    auto current = storage->getState(ctx_.instanceName(), "appointments/" + a.value("id", ""));
    if (!current.ok() || !current.value()) {
      continue;
    }
    auto now_ = nlohmann::json::parse(*current.value(), nullptr, false);
    if (!now_.is_object() || now_.value("status", "") != "booked" ||
        now_.value("start_ms", std::int64_t{0}) != a.value("start_ms", std::int64_t{0})) {
      continue;
    }
    sdk::InboundMessage origin;
    origin.tenant = tenant;
    origin.account = a.value("account", "");
    origin.chat = a.value("to", "");
    origin.id = "reminder-" + a.value("id", "") + "-" + std::to_string(a.value("start_ms", std::int64_t{0}));
    sdk::Conversation conversation;
    conversation.id = a.value("conversation", "");
    std::map<std::string, std::string> values = {{"id", a.value("id", "")},
                                                 {"when", formatUtc(a.value("start_ms", std::int64_t{0}))},
                                                 {"service", a.value("service", "")}};
    (void)submit(ctx_, agentText(origin, conversation, ctx_.instanceName(), "reminders", "reminder",
                                 fillPlaceholders(settings_.appointments.reminder, values), at));
    log_->counter("ai_agent_reminders_total", "Appointment reminders sent", {}).inc();
  }
}

}  // namespace switchboard::aiagent
