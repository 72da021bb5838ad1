#include "autoresponder_plugin.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

#include "config_schema.hpp"
#include "reply_command.hpp"
#include "text_fold.hpp"

namespace switchboard::autoresponder {
namespace {

constexpr std::size_t kMaxTrackedKeys = 100'000;
constexpr int kHistoryMessages = 20;
constexpr int kMaxStoredItems = 10'000;
constexpr int kMaxSubmitAttempts = 4;

sdk::TimestampMs systemNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool endsWith(const std::string& s, const char* suffix) {
  const std::string_view sv(suffix);
  return s.size() >= sv.size() && s.compare(s.size() - sv.size(), sv.size(), sv) == 0;
}

bool isBroadcast(const std::string& chat) {
  return endsWith(chat, "@broadcast") || endsWith(chat, "@newsletter");
}

bool isGroup(const sdk::InboundMessage& m) { return m.isGroup || endsWith(m.chat, "@g.us"); }

std::string conversationRuleKey(const std::string& conversation, const std::string& rule) {
  return conversation + '\x1f' + rule;
}

// Longest window any per-conversation record must survive.
std::int64_t longestCooldown(const RuleBook& book) {
  std::int64_t longest = 0;
  for (const auto& r : book.rules) {
    longest = std::max<std::int64_t>(longest, r.cooldown.count());
  }
  return longest;
}

}  // namespace

AutoResponderPlugin::AutoResponderPlugin(sdk::PluginContext& ctx) : AutoResponderPlugin(ctx, systemNow) {}

AutoResponderPlugin::AutoResponderPlugin(sdk::PluginContext& ctx, Clock clock)
    : ctx_(ctx),
      clock_(std::move(clock)),
      settings_(parseSettings(ctx.config())),
      conversationLimiter_(settings_.rateLimit.conversationReplies, settings_.rateLimit.conversationWindow.count(),
                           kMaxTrackedKeys),
      accountLimiter_(settings_.rateLimit.accountReplies, settings_.rateLimit.accountWindow.count(), 10'000),
      loopGuard_(settings_.loop, kMaxTrackedKeys),
      cooldowns_(0, kMaxTrackedKeys),
      humanReplies_(settings_.humanOverride.count(), kMaxTrackedKeys),
      ourCommands_(10 * 60 * 1000, kMaxTrackedKeys),
      ourNetworkIds_(24 * 3600 * 1000, kMaxTrackedKeys),
      decisionSeconds_(ctx.metrics().histogram("autoresponder_decision_seconds",
                                               "Time to decide and send the replies to one message")) {}

AutoResponderPlugin::~AutoResponderPlugin() { *alive_ = false; }

sdk::ConfigSchema AutoResponderPlugin::schema() { return configSchema(); }

sdk::Status AutoResponderPlugin::start() {
  auto book = parseRuleBook(ctx_.config());
  if (!book.ok()) {
    return sdk::Error::permanent("config.invalid", "plugin \"" + ctx_.instanceName() +
                                                       "\" configuration: " + book.error().message);
  }
  baseBook_ = std::move(book).value();
  cooldowns_.setHorizon(longestCooldown(baseBook_));
  needsTeams_ = std::any_of(baseBook_.rules.begin(), baseBook_.rules.end(),
                            [](const Rule& r) { return !r.teams.empty(); });
  auto handler = [this, alive = alive_](const sdk::Event& e) {
    if (*alive) {
      onEvent(e);
    }
  };
  subscriptions_.push_back(ctx_.events().subscribe(sdk::kEventMessageOutbound, handler));
  subscriptions_.push_back(ctx_.events().subscribe("command.result", handler));
  subscriptions_.push_back(ctx_.events().subscribe(kEventRulesChanged, handler));
  ctx_.logger().info("auto-responder started rules=" + std::to_string(baseBook_.rules.size()) +
                     " faq_entries=" + std::to_string(baseBook_.faq.size()) +
                     " schedules=" + std::to_string(baseBook_.schedules.size()));
  return {};
}

void AutoResponderPlugin::stop() {
  *alive_ = false;
  subscriptions_.clear();
  for (const auto& t : retries_) {
    t->cancel();
  }
  retries_.clear();
  ctx_.logger().info("auto-responder stopped");
}

sdk::Counter& AutoResponderPlugin::counter(const std::string& name, const std::string& help,
                                           const sdk::Labels& labels) {
  // The host's registry hands back the same counter for the same name and labels.
  return ctx_.metrics().counter(name, help, labels);
}

sdk::Status AutoResponderPlugin::skip(const char* reason) {
  counter("autoresponder_skipped_total", "Messages not answered, by reason", {{"reason", reason}}).inc();
  return {};
}

void AutoResponderPlugin::onEvent(const sdk::Event& e) {
  const auto now = clock_();
  if (e.type == sdk::kEventMessageOutbound) {
    auto automatic = e.attributes.find("automatic");
    if (automatic != e.attributes.end() && automatic->second == "false") {
      auto to = e.attributes.find("to");
      noteHumanReply(e.tenant, e.conversation, to == e.attributes.end() ? std::string() : peerKey(e.account, to->second),
                     now, /*persist=*/false);
    }
    return;
  }
  if (e.type == "command.result") {
    auto network = e.attributes.find("network_id");
    if (network != e.attributes.end() && !network->second.empty() && ourCommands_.get(e.tenant + "/" + e.subject)) {
      ourNetworkIds_.put(e.account + "|" + network->second, now);
    }
    return;
  }
  if (e.type == kEventRulesChanged) {
    auto instance = e.attributes.find("instance");
    if (instance != e.attributes.end() && !instance->second.empty() && instance->second != ctx_.instanceName()) {
      return;
    }
    if (auto it = tenants_.find(e.tenant); it != tenants_.end()) {
      it->second.stale = true;
    }
  }
}

void AutoResponderPlugin::noteHumanReply(const sdk::TenantId& tenant, const std::string& conversation,
                                         const std::string& peer, sdk::TimestampMs now, bool persist) {
  if (settings_.humanOverride.count() == 0) {
    return;
  }
  if (!conversation.empty()) {
    humanReplies_.put(conversation, now);
    loopGuard_.reset(conversation);
    // A reply typed on the phone is kept in the plugin's state too, so a restart does not forget
    // it (replies sent through commands are found again in the history).
    auto storage = persist ? ctx_.storage(tenant) : nullptr;
    if (storage) {
      (void)storage->putState(ctx_.instanceName(), "override/" + conversation, std::to_string(now));
    }
  }
  if (!peer.empty()) {
    humanReplies_.put(peer, now);
  }
}

sdk::Result<std::shared_ptr<const RuleEngine>> AutoResponderPlugin::engineFor(const sdk::TenantId& tenant,
                                                                              sdk::TimestampMs now) {
  auto& t = tenants_[tenant];
  if (t.engine && !t.stale && now - t.checkedAt < settings_.refresh.count()) {
    return t.engine;
  }
  auto storage = ctx_.storage(tenant);
  if (!storage) {
    if (!t.engine) {
      t.engine = std::make_shared<RuleEngine>(baseBook_, settings_.maxTextBytes, settings_.maxRepliesPerMessage);
    }
    t.stale = false;
    t.checkedAt = now;
    return t.engine;
  }
  const auto& ns = ctx_.instanceName();
  auto revision = storage->getState(ns, "revision");
  if (!revision.ok()) {
    if (t.engine) {
      return t.engine;  // keep answering with what we have; look again next time
    }
    return revision.takeError();
  }
  t.checkedAt = now;
  if (t.engine && !t.stale && revision.value() == t.revision) {
    return t.engine;
  }
  StoredItems items;
  auto scan = [&](const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) -> sdk::Status {
    auto rows = storage->scanState(ns, prefix, kMaxStoredItems);
    SB_TRY(rows);
    for (auto& [key, value] : rows.value()) {
      out.emplace_back(key.substr(prefix.size()), std::move(value));
    }
    return {};
  };
  if (auto s = scan("quick_replies/", items.quickReplies); !s.ok()) {
    return t.engine ? sdk::Result<std::shared_ptr<const RuleEngine>>(t.engine) : s.takeError();
  }
  if (auto s = scan("rules/", items.rules); !s.ok()) {
    return t.engine ? sdk::Result<std::shared_ptr<const RuleEngine>>(t.engine) : s.takeError();
  }
  if (auto s = scan("faq/", items.faq); !s.ok()) {
    return t.engine ? sdk::Result<std::shared_ptr<const RuleEngine>>(t.engine) : s.takeError();
  }
  RuleBook book = baseBook_;
  const auto errors = mergeStoredItems(book, items);
  const auto rules = book.rules.size(), faq = book.faq.size(), quick = book.quickReplies.size();
  if (std::any_of(book.rules.begin(), book.rules.end(), [](const Rule& r) { return !r.teams.empty(); })) {
    needsTeams_ = true;
  }
  cooldowns_.setHorizon(std::max(longestCooldown(book), longestCooldown(baseBook_)));
  t.engine = std::make_shared<RuleEngine>(std::move(book), settings_.maxTextBytes, settings_.maxRepliesPerMessage);
  t.revision = revision.value();
  t.stale = false;

  nlohmann::json status = {{"revision", revision.value().value_or("")},
                           {"loaded_at_ms", now},
                           {"rules", rules},
                           {"faq_entries", faq},
                           {"quick_replies", quick},
                           {"errors", errors}};
  (void)storage->putState(ns, "status", status.dump());
  for (const auto& e : errors) {
    ctx_.logger().warn("stored auto-responder item left out tenant=" + tenant + " error=\"" + e + "\"");
  }
  ctx_.logger().info("auto-responder rules loaded tenant=" + tenant + " rules=" + std::to_string(rules) +
                     " faq_entries=" + std::to_string(faq) + " stored_errors=" + std::to_string(errors.size()));
  return t.engine;
}

sdk::Result<bool> AutoResponderPlugin::humanIsAnswering(sdk::TenantStorage& storage,
                                                        const sdk::Conversation& conversation,
                                                        const std::vector<sdk::StoredMessage>& history,
                                                        sdk::TimestampMs now) {
  const auto window = settings_.humanOverride.count();
  if (window == 0) {
    return false;
  }
  if (humanReplies_.within(conversation.id, now, window) ||
      humanReplies_.within(peerKey(conversation.account, conversation.peer), now, window)) {
    return true;
  }
  // A reply a person sent through a command (Kafka, the admin API) is in the history, even one
  // sent before this process started.
  for (const auto& m : history) {
    if (m.outbound && !m.automatic && now - m.timestamp < window) {
      return true;
    }
  }
  // One typed on the phone is only in our state.
  auto stored = storage.getState(ctx_.instanceName(), "override/" + conversation.id);
  if (!stored.ok()) {
    return stored.takeError();
  }
  if (stored.value()) {
    try {
      const auto at = std::stoll(*stored.value());
      if (now - at < window) {
        humanReplies_.put(conversation.id, at);
        return true;
      }
    } catch (const std::exception&) {
      // An unreadable value (written by hand?) is no override.
    }
  }
  return false;
}

sdk::Status AutoResponderPlugin::onInbound(const sdk::InboundMessage& m, const sdk::Conversation& conversation) {
  const auto started = std::chrono::steady_clock::now();
  const auto now = clock_();
  if (!settings_.accounts.empty() &&
      std::find(settings_.accounts.begin(), settings_.accounts.end(), m.account) == settings_.accounts.end()) {
    return {};  // another instance's account: not counted as skipped
  }
  if (isBroadcast(m.chat) && !settings_.replyToBroadcasts) {
    return skip("broadcast");
  }
  if (isGroup(m) && !settings_.replyInGroups) {
    return skip("group");
  }
  if (m.fromMe) {
    // Our own replies may come back from the network as messages of our account; anything else
    // sent from our account was typed by a person on a linked device.
    if (ourNetworkIds_.get(m.account + "|" + m.networkId)) {
      return skip("own_message");
    }
    noteHumanReply(m.tenant, conversation.id, peerKey(m.account, conversation.peer), now, /*persist=*/true);
    return skip("from_me");
  }
  switch (m.kind) {
    case sdk::MessageKind::Reaction:
    case sdk::MessageKind::Edit:
    case sdk::MessageKind::Delete:
    case sdk::MessageKind::Unknown:
      return skip("kind");
    default:
      break;
  }
  if (conversation.botPaused) {
    return skip("bot_paused");
  }
  if (settings_.quietWhenAssigned && !conversation.assignee.empty()) {
    return skip("assigned");
  }
  auto engine = engineFor(m.tenant, now);
  SB_TRY(engine);

  const auto folded = foldText(m.text.empty() && m.media ? m.media->caption : m.text, settings_.maxTextBytes);
  switch (loopGuard_.onInbound(conversation.id, folded, now)) {
    case LoopGuard::Verdict::Detected: {
      counter("autoresponder_loops_total", "Conversations found looping with another bot", {}).inc();
      ctx_.logger().warn("conversation looks like a loop with another bot; quiet for " +
                         std::to_string(settings_.loop.pause.count() / 1000) + " s conversation=" + conversation.id +
                         " account=" + m.account);
      sdk::Event e;
      e.type = kEventLoopDetected;
      e.tenant = m.tenant;
      e.account = m.account;
      e.conversation = conversation.id;
      e.subject = conversation.id;
      e.attributes = {{"instance", ctx_.instanceName()},
                      {"quiet_until_ms", std::to_string(now + settings_.loop.pause.count())}};
      e.timestamp = now;
      ctx_.events().publish(e);
      return skip("loop");
    }
    case LoopGuard::Verdict::Paused:
      return skip("loop");
    case LoopGuard::Verdict::Ok:
      break;
  }

  auto storage = ctx_.storage(m.tenant);
  std::vector<sdk::StoredMessage> history;
  if (storage) {
    auto h = storage->listMessages(conversation.id, kHistoryMessages, std::nullopt);
    SB_TRY(h);
    history = std::move(h).value();
    auto human = humanIsAnswering(*storage, conversation, history, now);
    SB_TRY(human);
    if (human.value()) {
      return skip("human_override");
    }
  }

  Situation s;
  s.message = &m;
  s.conversation = &conversation;
  s.now = now;
  for (const auto& h : history) {
    if (h.id != m.id) {
      s.previousActivity = h.timestamp;
      break;
    }
  }
  if (needsTeams_) {
    if (!conversation.assignee.empty() && storage) {
      if (auto agent = storage->getAgent(conversation.assignee); agent.ok() && agent.value()) {
        s.team = agent.value()->department;
      }
    }
    for (const auto& tag : conversation.tags) {
      if (s.team.empty() && tag.rfind("team:", 0) == 0) {
        s.team = tag.substr(5);
      }
    }
  }
  std::optional<std::optional<sdk::Contact>> contact;
  s.contact = [&]() -> const sdk::Contact* {
    if (!contact) {
      contact.emplace();
      if (storage && !conversation.contact.empty()) {
        if (auto c = storage->getContact(conversation.contact); c.ok()) {
          *contact = std::move(c).value();
        }
      }
    }
    return contact->has_value() ? &**contact : nullptr;
  };
  s.coolingDown = [&](const std::string& rule, Millis cooldown) {
    return cooldowns_.within(conversationRuleKey(conversation.id, rule), now, cooldown.count());
  };
  s.storedTemplate = [&](const std::string& name) -> std::optional<std::string> {
    if (!storage) {
      return std::nullopt;
    }
    auto t = storage->getTemplate(name);
    return t.ok() && t.value() ? std::optional<std::string>(t.value()->body) : std::nullopt;
  };

  auto decision = engine.value()->decide(s);
  for (const auto& err : decision.errors) {
    counter("autoresponder_template_errors_total", "Replies not sent because their text could not be made",
            {{"code", err.code}})
        .inc();
    ctx_.logger().warn("reply not sent conversation=" + conversation.id + " error=\"" + err.describe() + "\"");
  }
  if (decision.replies.empty()) {
    decisionSeconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    return skip("no_rule");
  }
  const auto accountKey = m.tenant + "/" + m.account;
  for (const auto& reply : decision.replies) {
    if (!conversationLimiter_.allows(conversation.id, now)) {
      counter("autoresponder_rate_limited_total", "Replies held back by a rate limit", {{"scope", "conversation"}})
          .inc();
      ctx_.logger().info("reply held back by the conversation rate limit conversation=" + conversation.id +
                         " rule=" + reply.rule);
      break;
    }
    if (!accountLimiter_.allows(accountKey, now)) {
      counter("autoresponder_rate_limited_total", "Replies held back by a rate limit", {{"scope", "account"}}).inc();
      ctx_.logger().warn("reply held back by the account rate limit account=" + m.account + " rule=" + reply.rule);
      break;
    }
    send(makeCommand(reply, m, conversation, ctx_.instanceName(), settings_.quoteMessage, now), reply, conversation,
         now);
    conversationLimiter_.record(conversation.id, now);
    accountLimiter_.record(accountKey, now);
  }
  decisionSeconds_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return {};
}

void AutoResponderPlugin::send(const sdk::OutboundCommand& command, const PlannedReply& reply,
                               const sdk::Conversation& conversation, sdk::TimestampMs now) {
  // Recorded before submitting: the host may report the result before submit() returns.
  ourCommands_.put(command.tenant + "/" + command.commandId, now);
  loopGuard_.onReply(conversation.id, now);
  if (reply.cooldown.count() > 0) {
    cooldowns_.put(conversationRuleKey(conversation.id, reply.rule), now);
  }
  counter("autoresponder_replies_total", "Automatic replies sent, by kind of rule", {{"kind", reply.kind}}).inc();
  auto result = ctx_.outbound().submit(command);
  if (result.ok()) {
    return;
  }
  if (result.error().isRetriable()) {
    retryLater(command, 1);
    return;
  }
  counter("autoresponder_submit_errors_total", "Replies the host refused", {}).inc();
  ctx_.logger().error("reply refused command_id=" + command.commandId + " error=\"" + result.error().describe() +
                      "\"");
}

void AutoResponderPlugin::retryLater(sdk::OutboundCommand command, int attempt) {
  auto timer = std::make_shared<boost::asio::steady_timer>(ctx_.executor());
  timer->expires_after(std::chrono::milliseconds(500) * (1 << attempt));
  retries_.insert(timer);
  timer->async_wait([this, alive = alive_, timer, command = std::move(command),
                     attempt](const boost::system::error_code& ec) mutable {
    if (!*alive) {
      return;  // stopped: the plugin may be gone
    }
    retries_.erase(timer);
    if (ec) {
      return;
    }
    // Same command id: if an earlier attempt did get through, the host returns its result.
    auto result = ctx_.outbound().submit(command);
    if (result.ok()) {
      return;
    }
    if (result.error().isRetriable() && attempt + 1 < kMaxSubmitAttempts) {
      retryLater(std::move(command), attempt + 1);
      return;
    }
    counter("autoresponder_submit_errors_total", "Replies the host refused", {}).inc();
    ctx_.logger().error("reply given up command_id=" + command.commandId + " error=\"" + result.error().describe() +
                        "\"");
  });
}

}  // namespace switchboard::autoresponder
