#include "campaigns_plugin.hpp"

#include <algorithm>
#include <chrono>

#include "ab_report.hpp"
#include "config_schema.hpp"
#include "message_text.hpp"
#include "recipient.hpp"
#include "switchboard/sdk/quotas.hpp"

namespace switchboard::campaigns {
namespace {

constexpr int kSelectPage = 200;          // contacts recorded per turn of the strand
constexpr int kDispatchBudget = 200;      // recipients looked at per turn, across lanes
constexpr long long kRetryMs = 2000;      // after a retriable error (database busy, connectors starting)
constexpr int kMaxCampaigns = 10'000;
constexpr long long kMaxReportRows = 5'000'000;  // recipients a report reads, over all runs
constexpr long long kDayMs = 86'400'000;

sdk::TimestampMs systemNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> stringsOf(const sdk::ConfigValue& v) {
  std::vector<std::string> out;
  for (const auto& item : v.asList()) {
    out.push_back(item.asString());
  }
  return out;
}

sdk::Error notFound(const std::string& id) {
  return sdk::Error::permanent("campaign.not_found", "no campaign \"" + id + "\"");
}

std::string contactZone(const sdk::Contact& c, const std::string& fallback) {
  for (const char* key : {"time_zone", "timezone", "tz"}) {
    if (auto it = c.fields.find(key); it != c.fields.end() && !it->second.empty()) {
      return it->second;
    }
  }
  return fallback;
}

std::optional<Status> statusOfStage(const std::string& stage) {
  if (stage == "accepted") return Status::Queued;
  if (stage == "sent") return Status::Sent;
  if (stage == "delivered") return Status::Delivered;
  if (stage == "read") return Status::Read;
  if (stage == "failed") return Status::Failed;
  return std::nullopt;
}

std::string attribute(const sdk::Event& e, const char* key) {
  auto it = e.attributes.find(key);
  return it == e.attributes.end() ? std::string() : it->second;
}

}  // namespace

CampaignsPlugin::CampaignsPlugin(sdk::PluginContext& ctx) : CampaignsPlugin(ctx, systemNow) {}

CampaignsPlugin::CampaignsPlugin(sdk::PluginContext& ctx, Clock clock)
    : ctx_(ctx),
      clock_(std::move(clock)),
      tenant_(ctx.config()["tenant"].asString().empty() ? sdk::kDefaultTenant : ctx.config()["tenant"].asString()),
      stopWords_(stringsOf(ctx.config()["stop_words"])),
      startWords_(stringsOf(ctx.config()["start_words"])),
      confirmation_(ctx.config()["opt_out_confirmation"].asString()),
      replyWindowMs_(ctx.config()["reply_window"].asInt(72LL * 3600 * 1000)),
      maxRecipients_(static_cast<int>(ctx.config()["max_recipients"].asInt(100'000))),
      alpha_(ctx.config()["significance"].asDouble(0.05)),
      timer_(ctx.executor()) {}

CampaignsPlugin::~CampaignsPlugin() { *alive_ = false; }

sdk::ConfigSchema CampaignsPlugin::schema() { return configSchema(); }

sdk::Counter& CampaignsPlugin::counter(const std::string& name, const std::string& help, const sdk::Labels& labels) {
  // The host's registry hands back the same counter for the same name and labels.
  return ctx_.metrics().counter(name, help, labels);
}

sdk::Status CampaignsPlugin::start() {
  auto storage = ctx_.storage(tenant_);
  if (!storage) {
    return sdk::Error::permanent("campaign.no_storage", "plugin \"" + ctx_.instanceName() +
                                                            "\" needs the daemon's storage (none is configured)");
  }
  store_ = std::make_unique<CampaignStore>(std::move(storage), ctx_.instanceName());
  loadAll();
  // Definitions from the configuration file are created once; later changes go through the admin
  // routes (the stored definition wins, so a restart never rewinds a campaign).
  const auto& defined = ctx_.config()["campaigns"];
  for (const auto& item : defined.asList()) {
    auto j = toJson(item);
    bool schedule = true;
    if (j.is_object() && j.contains("state")) {
      schedule = j["state"] != "draft";
      j.erase("state");
    }
    auto parsed = parseCampaign(j);
    if (!parsed.ok()) {
      return sdk::Error::permanent("config.invalid", "plugin \"" + ctx_.instanceName() +
                                                         "\" campaigns: " + parsed.error().message);
    }
    if (campaigns_.count(parsed->id) == 0) {
      auto created = create(j, schedule);
      if (!created.ok()) {
        return created.takeError();
      }
    }
  }
  auto alive = alive_;
  subscriptions_.push_back(ctx_.events().subscribe("command.result", [this, alive](const sdk::Event& e) {
    if (*alive) {
      onEvent(e);
    }
  }));
  registerRoutes();
  ctx_.logger().info("campaigns started campaigns=" + std::to_string(campaigns_.size()) + " tenant=" + tenant_);
  wake(clock_());
  return {};
}

void CampaignsPlugin::stop() {
  *alive_ = false;
  subscriptions_.clear();
  routes_.clear();
  timer_.cancel();
  ctx_.logger().info("campaigns stopped");
}

void CampaignsPlugin::loadAll() {
  auto ids = store_->campaignIds(kMaxCampaigns);
  if (!ids.ok()) {
    ctx_.logger().error("campaigns not loaded: " + ids.error().describe());
    return;
  }
  for (const auto& id : ids.value()) {
    auto def = store_->definition(id);
    auto st = store_->state(id);
    if (!def.ok() || !def.value() || !st.ok() || !st.value()) {
      ctx_.logger().error("campaign \"" + id + "\" not loaded: its stored definition or state is unreadable");
      continue;
    }
    Live live;
    live.def = std::move(**def);
    live.st = **st;
    campaigns_[id] = std::move(live);
  }
}

// ---- The scheduler ----

void CampaignsPlugin::wake(sdk::TimestampMs at) {
  if (!*alive_ || (timerAt_ != 0 && timerAt_ <= at)) {
    return;
  }
  timerAt_ = at;
  const auto delay = std::max<sdk::TimestampMs>(0, at - clock_());
  timer_.expires_after(std::chrono::milliseconds(delay));
  timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive) {
      return;  // re-armed (aborted) or stopped
    }
    timerAt_ = 0;
    pump();
  });
}

void CampaignsPlugin::pump() {
  const auto now = clock_();
  bool again = false, retry = false;
  for (auto& [id, live] : campaigns_) {
    if (live.st.state == State::Scheduled && live.st.nextRunAt <= now) {
      startRun(live, now);
    }
    if (live.st.state != State::Running) {
      continue;
    }
    if (!live.st.selected) {
      const auto step = selectPage(live, now);
      if (step != Selection::Complete) {
        (step == Selection::More ? again : retry) = true;
        continue;
      }
    }
    if (!live.loaded) {
      loadPending(live);
    }
  }
  while (!deferred_.empty() && deferred_.begin()->first <= now) {
    auto [key, item] = deferred_.begin()->second;
    deferred_.erase(deferred_.begin());
    if (auto lane = lanes_.find(key); lane != lanes_.end()) {  // gone only if its campaign was unloaded
      lane->second.items.push_front(std::move(item));
    }
  }
  int budget = kDispatchBudget;
  for (auto& [key, lane] : lanes_) {
    while (!lane.items.empty() && lane.pacer.nextSlot() <= now && budget > 0) {
      --budget;
      dispatchOne(key, lane, now);
    }
  }
  again = again || budget == 0;
  for (auto& [id, live] : campaigns_) {
    if (live.st.state == State::Running) {
      finishRunIfDone(live, now);
    }
  }
  // Sleep until the earliest thing due.
  std::optional<sdk::TimestampMs> next;
  auto consider = [&](sdk::TimestampMs t) { next = next ? std::min(*next, t) : t; };
  if (again) {
    consider(now);
  }
  if (retry) {
    consider(now + kRetryMs);
  }
  for (const auto& [key, lane] : lanes_) {
    if (!lane.items.empty()) {
      consider(lane.pacer.nextSlot());
    }
  }
  if (!deferred_.empty()) {
    consider(deferred_.begin()->first);
  }
  for (const auto& [id, live] : campaigns_) {
    if (live.st.state == State::Scheduled) {
      consider(live.st.nextRunAt);
    }
  }
  if (next) {
    wake(std::max(*next, now));
  }
}

sdk::Status CampaignsPlugin::setState(Live& live, State next, sdk::TimestampMs now) {
  const State before = live.st.state;
  live.st.state = next;
  live.st.updatedAt = now;
  auto saved = store_->saveState(live.def.id, live.st);
  if (!saved.ok()) {
    live.st.state = before;
    return saved;
  }
  sdk::Event e;
  e.type = kEventCampaignState;
  e.tenant = tenant_;
  e.subject = live.def.id;
  e.attributes = {{"state", toString(next)}, {"run", std::to_string(live.st.run)}};
  e.timestamp = now;
  ctx_.events().publish(e);
  ctx_.logger().info("campaign \"" + live.def.id + "\" " + toString(before) + " -> " + toString(next) +
                     " run=" + std::to_string(live.st.run));
  return {};
}

void CampaignsPlugin::startRun(Live& live, sdk::TimestampMs now) {
  RunState before = live.st;
  live.st.run += 1;
  live.st.active = true;
  live.st.runStartedAt = now;
  live.st.selected = false;
  live.st.selectedCount = 0;
  live.st.cursor.clear();
  if (!setState(live, State::Running, now).ok()) {
    live.st = before;  // the database is away: the next turn tries again
    return;
  }
  live.loaded = false;
  live.bodies.clear();
}

CampaignsPlugin::Selection CampaignsPlugin::selectPage(Live& live, sdk::TimestampMs now) {
  sdk::ContactSegment segment = live.def.segment;
  if (live.def.activeWithinMs) {
    segment.activeSince = live.st.runStartedAt - *live.def.activeWithinMs;
  }
  if (live.def.inactiveForMs) {
    segment.inactiveSince = live.st.runStartedAt - *live.def.inactiveForMs;
  }
  auto page = store_->storage().listContactsBySegment(segment, live.st.cursor, kSelectPage);
  if (!page.ok()) {
    ctx_.logger().warn("campaign \"" + live.def.id + "\" audience: " + page.error().describe());
    return Selection::Failed;
  }
  for (const auto& contact : page->contacts) {
    if (live.st.selectedCount >= maxRecipients_) {
      ctx_.logger().warn("campaign \"" + live.def.id + "\" run " + std::to_string(live.st.run) +
                         ": audience cut at max_recipients=" + std::to_string(maxRecipients_));
      page->next.clear();
      break;
    }
    Recipient r;
    r.contact = contact.id;
    r.variant = variantFor(live.def, contact.id).name;
    r.account = accountFor(live.def, contact.id);
    r.updatedAt = now;
    if (contact.phone.empty() && contact.jid.empty()) {
      r.status = Status::Suppressed;
      r.reason = "no_address";
    }
    if (!store_->putRecipient(live.def.id, live.st.run, r).ok()) {
      return Selection::Failed;  // the cursor is not saved: this page is recorded again
    }
    ++live.st.selectedCount;
  }
  live.st.cursor = page->next;
  live.st.selected = page->next.empty();
  if (!store_->saveState(live.def.id, live.st).ok()) {
    return Selection::Failed;
  }
  return live.st.selected ? Selection::Complete : Selection::More;
}

sdk::Status CampaignsPlugin::resolveBodies(Live& live) {
  for (const auto& v : live.def.variants) {
    if (!v.text.empty()) {
      live.bodies[v.name] = v.text;
      continue;
    }
    auto t = store_->storage().getTemplate(v.templateName);
    SB_TRY(t);
    if (!t.value()) {
      return sdk::Error::permanent("campaign.no_template", "template \"" + v.templateName + "\" does not exist");
    }
    live.bodies[v.name] = t.value()->body;
  }
  return {};
}

void CampaignsPlugin::loadPending(Live& live) {
  auto rs = store_->recipients(live.def.id, live.st.run, maxRecipients_);
  if (!rs.ok()) {
    ctx_.logger().warn("campaign \"" + live.def.id + "\" recipients: " + rs.error().describe());
    return;
  }
  for (const auto& r : rs.value()) {
    if (r.status != Status::Pending) {
      continue;
    }
    const std::string key = live.def.id + "/" + r.account;
    auto lane = lanes_.find(key);
    if (lane == lanes_.end()) {
      lane = lanes_.emplace(key, Lane{AccountPacer(live.def.pacing.perMinute, live.def.pacing.jitter, stableHash(key)),
                                      {}})
                 .first;
    }
    lane->second.items.push_back(Item{live.def.id, live.st.run, r.contact});
    ++live.queued;
  }
  live.loaded = true;
}

void CampaignsPlugin::unload(const std::string& campaign) {
  const std::string prefix = campaign + "/";
  for (auto it = lanes_.begin(); it != lanes_.end();) {
    it = it->first.rfind(prefix, 0) == 0 ? lanes_.erase(it) : std::next(it);
  }
  for (auto it = deferred_.begin(); it != deferred_.end();) {
    it = it->second.second.campaign == campaign ? deferred_.erase(it) : std::next(it);
  }
  if (auto live = campaigns_.find(campaign); live != campaigns_.end()) {
    live->second.queued = 0;
    live->second.loaded = false;
  }
}

bool CampaignsPlugin::dispatchOne(const std::string& laneKey, Lane& lane, sdk::TimestampMs now) {
  const Item item = lane.items.front();
  auto found = campaigns_.find(item.campaign);
  if (found == campaigns_.end() || found->second.st.state != State::Running || found->second.st.run != item.run) {
    lane.items.pop_front();
    return false;
  }
  Live& live = found->second;
  auto done = [&](const char* outcome) {
    lane.items.pop_front();
    --live.queued;
    counter("campaigns_recipients_total", "Campaign recipients handled, by outcome", {{"outcome", outcome}}).inc();
  };
  auto suppress = [&](const std::string& reason) {
    (void)updateRecipient(item.campaign, item.run, item.contact, Status::Suppressed, reason, "", now);
    done("suppressed");
    return false;
  };
  auto fail = [&](const std::string& reason) {
    (void)updateRecipient(item.campaign, item.run, item.contact, Status::Failed, reason, "", now);
    done("failed");
    return false;
  };
  auto later = [&](const sdk::Error& e) {
    ctx_.logger().warn("campaign \"" + item.campaign + "\": " + e.describe() + "; trying again");
    lane.pacer.delayUntil(now + kRetryMs);
    return false;
  };

  // Opt-outs are checked at the moment of sending, so one received after the audience was
  // recorded is honoured.
  auto optOut = store_->optOut(item.contact);
  if (!optOut.ok()) {
    return later(optOut.error());
  }
  if (optOut.value() && optOut.value()->optedOut) {
    return suppress("opted_out");
  }
  auto contact = store_->storage().getContact(item.contact);
  if (!contact.ok()) {
    return later(contact.error());
  }
  if (!contact.value()) {
    return suppress("contact_deleted");
  }
  const sdk::Contact& c = *contact.value();
  if (live.def.segment.optedInOnly && !c.optedIn) {
    return suppress("not_opted_in");
  }
  const auto allowed = outsideQuietHours(live.def.pacing.quiet, contactZone(c, live.def.pacing.defaultTimeZone), now);
  if (allowed > now) {
    deferred_.emplace(allowed, std::make_pair(laneKey, item));
    lane.items.pop_front();
    counter("campaigns_deferred_total", "Recipients held back by quiet hours", {}).inc();
    return false;
  }
  if (live.bodies.empty()) {
    if (auto s = resolveBodies(live); !s.ok()) {
      live.bodies.clear();
      return s.error().isRetriable() ? later(s.error()) : fail(s.error().describe());
    }
  }
  const Variant& variant = variantFor(live.def, c.id);
  auto params = variant.params;
  params.insert(live.def.params.begin(), live.def.params.end());  // the variant's own values win
  auto text = renderMessage(live.bodies[variant.name], params, c);
  if (!text.ok()) {
    return fail(text.error().describe());
  }

  // The tenant's daily recipient quota (SDK 1.3), taken only for a message about to go out. Over
  // it, the lane waits for the next UTC day. A host without quotas answers "unsupported": no limit.
  // (A recipient submitted again after a crash takes a unit again: the count errs high.)
  auto quota = store_->storage().consumeQuota(sdk::quota::kCampaignRecipientsPerDay, 1);
  if (!quota.ok() && quota.error().isRetriable()) {
    return later(quota.error());
  }
  if (quota.ok() && !quota.value()) {
    const auto tomorrow = (now / kDayMs + 1) * kDayMs;
    ctx_.logger().warn("campaign \"" + item.campaign + "\": the tenant's campaign_recipients_per_day quota is used up;"
                       " account " + accountFor(live.def, c.id) + " waits for the next UTC day");
    counter("campaigns_quota_waits_total", "Times a campaign lane waited for the next day's quota", {}).inc();
    lane.pacer.delayUntil(tomorrow);
    return false;
  }

  sdk::OutboundCommand cmd;
  cmd.commandId = commandIdFor(item.campaign, item.run, c.id);
  cmd.tenant = tenant_;
  cmd.account = accountFor(live.def, c.id);
  cmd.kind = sdk::CommandKind::SendText;
  cmd.to = !c.phone.empty() ? c.phone : c.jid;
  cmd.text = std::move(text).value();
  cmd.templateName = variant.templateName;
  cmd.automatic = true;
  cmd.origin = "campaign:" + item.campaign + ":" + variant.name;
  cmd.createdAt = now;
  auto submitted = ctx_.outbound().submit(cmd);
  if (!submitted.ok()) {
    if (submitted.error().isRetriable()) {
      return later(submitted.error());
    }
    lane.pacer.take(now);
    return fail(submitted.error().describe());
  }
  // An earlier result means this command was submitted before (a resume or a restart): its
  // stage is recorded, and the outbound path sends nothing again.
  const auto status = statusOfStage(sdk::toString(submitted->stage)).value_or(Status::Queued);
  (void)updateRecipient(item.campaign, item.run, c.id, status, submitted->reason, submitted->networkId, now);
  (void)store_->putLast(c.id, LastMessage{item.campaign, item.run, now});
  // The gap runs from when the submission returned, so however long one submission took, the
  // next one never starts sooner than the configured gap after it.
  lane.pacer.take(clock_());
  done("submitted");
  return true;
}

void CampaignsPlugin::finishRunIfDone(Live& live, sdk::TimestampMs now) {
  if (!live.st.selected || !live.loaded || live.queued > 0) {
    return;
  }
  live.st.active = false;
  const auto& sch = live.def.schedule;
  const bool more = sch.kind == Schedule::Kind::Recurring && (sch.maxRuns == 0 || live.st.run < sch.maxRuns);
  const auto next = more ? sch.nextRun(now + 1) : std::nullopt;
  if (next) {
    live.st.nextRunAt = *next;
    if (!setState(live, State::Scheduled, now).ok()) {
      live.st.active = true;
    }
    return;
  }
  if (!setState(live, State::Completed, now).ok()) {
    live.st.active = true;
  }
}

sdk::Status CampaignsPlugin::updateRecipient(const std::string& campaign, int run, const std::string& contact,
                                             Status to, const std::string& reason, const std::string& networkId,
                                             sdk::TimestampMs now) {
  auto current = store_->recipient(campaign, run, contact);
  SB_TRY(current);
  if (!current.value()) {
    return {};  // not a recipient we recorded (an id that only looks like ours)
  }
  Recipient r = **current;
  if (!advances(r.status, to)) {
    return {};
  }
  r.status = to;
  r.reason = to == Status::Failed || to == Status::Suppressed ? reason : std::string();
  if (!networkId.empty()) {
    r.networkId = networkId;
  }
  r.updatedAt = now;
  return store_->putRecipient(campaign, run, r);
}

// ---- Results, receipts, replies ----

void CampaignsPlugin::onEvent(const sdk::Event& e) {
  if (e.type == "command.result" && e.tenant == tenant_) {
    onCommandResult(e);
  }
}

void CampaignsPlugin::onCommandResult(const sdk::Event& e) {
  auto ref = parseCommandId(e.subject);
  if (!ref || campaigns_.count(ref->campaign) == 0) {
    return;
  }
  auto status = statusOfStage(attribute(e, "stage"));
  if (!status) {
    return;
  }
  auto s = updateRecipient(ref->campaign, ref->run, ref->contact, *status, attribute(e, "reason"),
                           attribute(e, "network_id"), e.timestamp != 0 ? e.timestamp : clock_());
  if (!s.ok()) {
    ctx_.logger().warn("campaign \"" + ref->campaign + "\" status of " + ref->contact + " not recorded: " +
                       s.error().describe());
  }
}

sdk::Status CampaignsPlugin::onInbound(const sdk::InboundMessage& m, const sdk::Conversation& conversation) {
  if (m.fromMe || m.isGroup || conversation.contact.empty() || m.tenant != tenant_ || !store_) {
    return {};
  }
  const auto now = clock_();
  if (auto word = stopWords_.match(m.text)) {
    handleStopWord(m, conversation, *word);
    return {};
  }
  if (auto word = startWords_.match(m.text)) {
    auto rec = store_->optOut(conversation.contact);
    SB_TRY(rec);
    if (rec.value() && rec.value()->optedOut) {
      auto s = setOptOut(conversation.contact, false, "keyword", *word);
      if (!s.ok()) {
        return s.takeError();
      }
    }
    return {};
  }
  auto last = store_->last(conversation.contact);
  SB_TRY(last);
  if (last.value() && now - last.value()->at <= replyWindowMs_) {
    SB_TRY(updateRecipient(last.value()->campaign, last.value()->run, conversation.contact, Status::Replied, "", "",
                           now));
  }
  return {};
}

void CampaignsPlugin::handleStopWord(const sdk::InboundMessage& m, const sdk::Conversation& c,
                                     const std::string& word) {
  const auto now = clock_();
  auto rec = store_->optOut(c.contact);
  if (!rec.ok()) {
    ctx_.logger().error("opt-out of " + c.contact + " not recorded: " + rec.error().describe());
    return;
  }
  if (rec.value() && rec.value()->optedOut) {
    return;  // confirmed once already
  }
  OptOutRecord next = rec.value().value_or(OptOutRecord{});
  next.optedOut = true;
  next.source = "stop_word";
  next.detail = word;
  next.at = now;
  next.changes += 1;
  // The confirmation's id is numbered by the opt-out, so sending it again after a crash (before
  // the record below was saved) repeats the same command, which the outbound path drops.
  if (!confirmation_.empty()) {
    sdk::OutboundCommand cmd;
    cmd.commandId = "cmp-optout:" + c.contact + ":" + std::to_string(next.changes);
    cmd.tenant = tenant_;
    cmd.account = m.account;
    cmd.kind = sdk::CommandKind::SendText;
    cmd.conversation = c.id;
    cmd.to = !m.chat.empty() ? m.chat : c.peer;
    cmd.text = confirmation_;
    cmd.automatic = true;
    cmd.origin = "campaigns:opt_out";
    cmd.createdAt = now;
    auto sent = ctx_.outbound().submit(cmd);
    if (!sent.ok()) {
      ctx_.logger().warn("opt-out confirmation to " + c.contact + " not sent: " + sent.error().describe());
    } else {
      next.confirmations += 1;
    }
  }
  auto saved = store_->putOptOut(c.contact, next);
  if (!saved.ok()) {
    ctx_.logger().error("opt-out of " + c.contact + " not recorded: " + saved.error().describe());
    return;
  }
  if (auto contact = store_->storage().getContact(c.contact); contact.ok() && contact.value()) {
    sdk::Contact updated = **contact;
    updated.optedIn = false;
    (void)store_->storage().upsertContact(updated);
  }
  counter("campaigns_opt_outs_total", "Contacts who opted out, by source", {{"source", "stop_word"}}).inc();
  sdk::Event e;
  e.type = kEventOptOut;
  e.tenant = tenant_;
  e.account = m.account;
  e.conversation = c.id;
  e.subject = c.contact;
  e.attributes = {{"source", "stop_word"}, {"detail", word}};
  e.timestamp = now;
  ctx_.events().publish(e);
}

// ---- Administration ----

sdk::Result<nlohmann::json> CampaignsPlugin::create(const nlohmann::json& definition, bool schedule) {
  auto parsed = parseCampaign(definition);
  SB_TRY(parsed);
  const auto id = parsed->id;
  if (campaigns_.count(id) != 0) {
    return sdk::Error::permanent("campaign.exists", "campaign \"" + id + "\" exists already");
  }
  auto stored = store_->definition(id);
  SB_TRY(stored);
  if (stored.value()) {
    return sdk::Error::permanent("campaign.exists", "campaign \"" + id + "\" exists already");
  }
  const auto now = clock_();
  Live live;
  live.def = std::move(parsed).value();
  live.st.createdAt = now;
  live.st.updatedAt = now;
  if (schedule) {
    auto at = live.def.schedule.nextRun(now);
    if (!at) {
      return sdk::Error::permanent("campaign.invalid", "schedule: it never runs");
    }
    live.st.state = State::Scheduled;
    live.st.nextRunAt = *at;
  }
  SB_TRY(store_->saveDefinition(live.def));
  SB_TRY(store_->saveState(id, live.st));
  auto& placed = campaigns_[id] = std::move(live);
  if (placed.st.state == State::Scheduled) {
    wake(placed.st.nextRunAt);
  }
  ctx_.logger().info("campaign \"" + id + "\" created state=" + toString(placed.st.state));
  return summary(placed);
}

sdk::Result<nlohmann::json> CampaignsPlugin::update(const nlohmann::json& definition) {
  auto parsed = parseCampaign(definition);
  SB_TRY(parsed);
  auto found = campaigns_.find(parsed->id);
  if (found == campaigns_.end()) {
    return notFound(parsed->id);
  }
  Live& live = found->second;
  const bool between = live.st.state == State::Draft || live.st.state == State::Scheduled ||
                       live.st.state == State::Paused;
  if (!between || live.st.active) {
    return sdk::Error::permanent("campaign.bad_transition",
                                 "campaign \"" + parsed->id + "\" is " + toString(live.st.state) +
                                     (live.st.active ? " with a run under way" : "") +
                                     ": only a campaign between runs can be edited");
  }
  SB_TRY(store_->saveDefinition(*parsed));
  live.def = std::move(parsed).value();
  live.bodies.clear();
  if (live.st.state == State::Scheduled) {
    const auto now = clock_();
    auto at = live.def.schedule.nextRun(now);
    if (!at) {
      return sdk::Error::permanent("campaign.invalid", "schedule: it never runs again");
    }
    live.st.nextRunAt = *at;
    live.st.updatedAt = now;
    SB_TRY(store_->saveState(live.def.id, live.st));
    timerAt_ = 0;  // the new time may be later than the armed one
    wake(*at);
  }
  return summary(live);
}

sdk::Result<nlohmann::json> CampaignsPlugin::act(const std::string& id, Action action) {
  auto found = campaigns_.find(id);
  if (found == campaigns_.end()) {
    return notFound(id);
  }
  Live& live = found->second;
  const auto now = clock_();
  auto next = transition(live.st.state, action, live.st.active);
  SB_TRY(next);
  if (*next == State::Scheduled && !live.st.active) {
    auto at = live.def.schedule.nextRun(now);
    if (!at) {
      return sdk::Error::permanent("campaign.invalid", "schedule: it never runs again");
    }
    live.st.nextRunAt = *at;
  }
  SB_TRY(setState(live, *next, now));
  if (*next != State::Running) {
    unload(id);  // pending recipients stay recorded; a resume loads them again
  }
  wake(now);
  return summary(live);
}

nlohmann::json CampaignsPlugin::summary(const Live& live) {
  return {{"id", live.def.id},
          {"name", live.def.name},
          {"state", toString(live.st.state)},
          {"run", live.st.run},
          {"next_run_at", live.st.state == State::Scheduled ? nlohmann::json(live.st.nextRunAt) : nlohmann::json()},
          {"recipients", live.st.selectedCount},
          {"in_flight", live.queued},
          {"created_at", live.st.createdAt},
          {"updated_at", live.st.updatedAt}};
}

sdk::Result<nlohmann::json> CampaignsPlugin::describe(const std::string& id) {
  auto found = campaigns_.find(id);
  if (found == campaigns_.end()) {
    return notFound(id);
  }
  auto j = summary(found->second);
  j["definition"] = toJson(found->second.def);
  auto funnel = report(id, "reply", 0);
  SB_TRY(funnel);
  j["funnel"] = std::move(funnel).value();
  return j;
}

sdk::Result<nlohmann::json> CampaignsPlugin::list() {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [id, live] : campaigns_) {
    out.push_back(summary(live));
  }
  return nlohmann::json{{"campaigns", out}};
}

sdk::Result<nlohmann::json> CampaignsPlugin::report(const std::string& id, const std::string& metric, int run) {
  auto found = campaigns_.find(id);
  if (found == campaigns_.end()) {
    return notFound(id);
  }
  const long long runs = run == 0 ? std::max(1, found->second.st.run) : 1;
  const int limit = static_cast<int>(std::min<long long>(static_cast<long long>(maxRecipients_) * runs, kMaxReportRows));
  auto rs = store_->recipients(id, run, limit);
  SB_TRY(rs);
  std::vector<std::string> order;
  for (const auto& v : found->second.def.variants) {
    order.push_back(v.name);
  }
  auto j = buildReport(order, rs.value(), metric, alpha_).toJson();
  j["campaign"] = id;
  j["run"] = run;
  return j;
}

sdk::Result<nlohmann::json> CampaignsPlugin::setOptOut(const sdk::ContactId& contact, bool optedOut,
                                                       const std::string& source, const std::string& detail) {
  auto existing = store_->storage().getContact(contact);
  SB_TRY(existing);
  if (!existing.value()) {
    return sdk::Error::permanent("campaign.not_found", "no contact \"" + contact + "\"");
  }
  auto rec = store_->optOut(contact);
  SB_TRY(rec);
  OptOutRecord next = rec.value().value_or(OptOutRecord{});
  const auto now = clock_();
  if (next.optedOut != optedOut || !rec.value()) {
    next.changes += 1;
  }
  next.optedOut = optedOut;
  next.source = source.empty() ? "admin" : source;
  next.detail = detail;
  next.at = now;
  SB_TRY(store_->putOptOut(contact, next));
  sdk::Contact updated = **existing;
  updated.optedIn = !optedOut;
  auto up = store_->storage().upsertContact(updated);
  SB_TRY(up);
  counter(optedOut ? "campaigns_opt_outs_total" : "campaigns_opt_ins_total",
          optedOut ? "Contacts who opted out, by source" : "Contacts who opted in again, by source",
          {{"source", next.source}})
      .inc();
  sdk::Event e;
  e.type = optedOut ? kEventOptOut : kEventOptIn;
  e.tenant = tenant_;
  e.subject = contact;
  e.attributes = {{"source", next.source}, {"detail", detail}};
  e.timestamp = now;
  ctx_.events().publish(e);
  return optOutStatus(contact);
}

sdk::Result<nlohmann::json> CampaignsPlugin::optOutStatus(const sdk::ContactId& contact) {
  auto rec = store_->optOut(contact);
  SB_TRY(rec);
  if (!rec.value()) {
    return nlohmann::json{{"contact", contact}, {"opted_out", false}, {"source", nullptr}};
  }
  const auto& r = *rec.value();
  return nlohmann::json{{"contact", contact}, {"opted_out", r.optedOut}, {"source", r.source},
                        {"detail", r.detail}, {"at", r.at},             {"confirmations", r.confirmations}};
}

}  // namespace switchboard::campaigns
