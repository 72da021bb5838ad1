#include "crm_plugin.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>

#include <nlohmann/json.hpp>

namespace switchboard::crm {
namespace {

sdk::TimestampMs systemNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string attribute(const sdk::Event& e, const std::string& name) {
  auto it = e.attributes.find(name);
  return it == e.attributes.end() ? std::string() : it->second;
}

sdk::HttpRouteResponse errorResponse(unsigned status, const sdk::Error& error) {
  return {status, "application/json",
          nlohmann::json{{"error", {{"code", error.code}, {"message", error.message}}}}.dump()};
}

}  // namespace

CrmPlugin::CrmPlugin(sdk::PluginContext& context) : CrmPlugin(context, systemNow) {}

CrmPlugin::CrmPlugin(sdk::PluginContext& context, Clock clock) : context_(context), clock_(std::move(clock)) {}

CrmPlugin::~CrmPlugin() {
  *alive_ = false;
  route_.reset();
}

sdk::Status CrmPlugin::start() {
  auto settings = readSettings(context_.config());
  SB_TRY(settings);
  settings_ = std::move(settings).value();
  storage_ = context_.storage(settings_.tenant);
  if (!storage_) {
    return sdk::Error::permanent("crm.no_storage", "the CRM sync keeps its outbox in the database; configure storage");
  }
  sdk::HttpClientOptions options;
  options.verifyTls = settings_.verifyTls;
  options.caFile = settings_.caFile;
  options.timeout = settings_.timeout;
  auto client = context_.httpClient(options);
  SB_TRY(client);
  if (!settings_.verifyTls) {
    context_.logger().warn("tls.verify is off: the CRM's certificate is not checked");
  }
  dialect_ = makeDialect(settings_, context_.instanceName());
  outbox_ = std::make_unique<Outbox>(storage_, stateNamespace());
  deliverer_ = std::make_shared<Deliverer>(context_, settings_, *dialect_, *outbox_, client.value(), storage_, clock_);
  remote_ = std::make_unique<RemoteChanges>(settings_, *dialect_, *outbox_, storage_, context_.events(),
                                            context_.instanceName());
  if (settings_.webhook.enabled) {
    guard_ = std::make_unique<WebhookGuard>(settings_.webhook);
    SB_TRY(loadAcceptedSignatures());
    auto route = context_.addHttpRoute(
        settings_.webhook.name,
        [this, alive = alive_](sdk::HttpRouteRequest request, std::function<void(sdk::HttpRouteResponse)> respond) {
          if (!*alive) {
            respond(errorResponse(503, sdk::Error::retriable("crm.stopped", "the CRM sync is stopping")));
            return;
          }
          onWebhook(request, respond);
        });
    SB_TRY(route);
    route_ = std::move(route).value();
    context_.logger().info("CRM webhook at " + route_->path());
  }
  running_ = true;
  deliverer_->kick();  // what was queued before a restart goes out now
  return sdk::okStatus();
}

void CrmPlugin::stop() {
  running_ = false;
  *alive_ = false;
  route_.reset();
  if (deliverer_) {
    deliverer_->stop();
  }
}

sdk::Result<std::string> CrmPlugin::summaryOf(const sdk::ConversationId& conversation) {
  if (settings_.summaryMessages == 0) {
    return std::string();
  }
  auto messages = storage_->listMessages(conversation, settings_.summaryMessages, std::nullopt);
  SB_TRY(messages);
  std::string out;
  auto& list = messages.value();
  for (auto it = list.rbegin(); it != list.rend(); ++it) {  // oldest first
    if (it->text.empty()) {
      continue;
    }
    out += std::string(it->outbound ? (it->automatic ? "bot" : "agent") : "customer") + ": " + it->text + "\n";
  }
  return out;
}

sdk::Result<std::optional<OutboxItem>> CrmPlugin::itemFor(const sdk::Event& e) {
  using Out = std::optional<OutboxItem>;
  OutboxItem item;
  item.event = e.type;
  item.at = e.timestamp != 0 ? e.timestamp : clock_();
  if (e.type.rfind("contact.", 0) == 0) {
    item.contact = attribute(e, "contact").empty() ? e.subject : attribute(e, "contact");
    if (e.type == "contact.note") {
      item.text = attribute(e, "note");
      item.author = attribute(e, "author");
    }
  } else {
    item.conversation = e.conversation.empty() ? e.subject : e.conversation;
    auto conversation = storage_->getConversation(item.conversation);
    SB_TRY(conversation);
    if (!conversation.value() || conversation.value()->contact.empty()) {
      context_.logger().debug("CRM sync: conversation \"" + item.conversation + "\" has no contact; " + e.type +
                              " not mirrored");
      return Out();
    }
    item.contact = conversation.value()->contact;
    if (e.type == "conversation.note") {
      item.text = attribute(e, "note");
      item.author = attribute(e, "author");
    } else if (e.type == "conversation.closed") {
      item.text = attribute(e, "summary");
      if (item.text.empty()) {
        auto summary = summaryOf(item.conversation);
        SB_TRY(summary);
        item.text = summary.value();
      }
    } else {
      item.agent = attribute(e, "agent").empty() ? e.subject : attribute(e, "agent");
    }
  }
  if (item.contact.empty()) {
    return Out();
  }
  if (kindOf(e.type) == ItemKind::ContactUpsert) {
    // Nothing to send when the CRM already holds these values (our own webhook write, a no-op edit).
    auto contact = storage_->getContact(item.contact);
    SB_TRY(contact);
    if (!contact.value()) {
      return Out();
    }
    auto synced = outbox_->syncedFingerprint(item.contact);
    SB_TRY(synced);
    if (synced.value() && *synced.value() == fingerprint(dialect_->properties(*contact.value()))) {
      return Out();
    }
  }
  return Out(std::move(item));
}

sdk::Status CrmPlugin::onEvent(const sdk::Event& e) {
  if (!running_ || settings_.events.count(e.type) == 0 || e.tenant != settings_.tenant) {
    return sdk::okStatus();
  }
  if (attribute(e, "origin") == context_.instanceName()) {
    return sdk::okStatus();  // our own announcement of a CRM-side change
  }
  auto item = itemFor(e);
  SB_TRY(item);
  if (!item.value()) {
    return sdk::okStatus();
  }
  // Stored before this returns: from here on a restart cannot lose the change.
  SB_TRY(outbox_->push(std::move(*item.value())));
  deliverer_->kick();
  return sdk::okStatus();
}

sdk::Status CrmPlugin::loadAcceptedSignatures() {
  auto rows = storage_->scanState(stateNamespace(), kAcceptedPrefix, 100000);
  SB_TRY(rows);
  const auto now = clock_();
  std::vector<std::pair<sdk::TimestampMs, std::string>> live;
  for (const auto& [key, value] : rows.value()) {
    sdk::TimestampMs forgetAfter = 0;  // unreadable: forgotten like an expired one
    (void)std::from_chars(value.data(), value.data() + value.size(), forgetAfter);
    if (forgetAfter < now) {
      (void)storage_->deleteState(stateNamespace(), key);  // best effort; the next start tries again
      continue;
    }
    live.emplace_back(forgetAfter, key.substr(std::string(kAcceptedPrefix).size()));
  }
  std::sort(live.begin(), live.end());
  for (const auto& [forgetAfter, signature] : live) {
    guard_->remember(signature, forgetAfter);
  }
  return sdk::okStatus();
}

void CrmPlugin::onWebhook(const sdk::HttpRouteRequest& request,
                          const std::function<void(sdk::HttpRouteResponse)>& respond) {
  const auto now = clock_();
  if (auto s = guard_->check(request.headers, request.body, now); !s.ok()) {
    context_.logger().warn("CRM webhook refused from " + request.remoteAddress + ": " + s.error().describe());
    respond(errorResponse(s.error().code == "crm.webhook_replay" ? 409 : 401, s.error()));
    return;
  }
  // Remembered in the database too, so a replay after a restart is still refused.
  const auto& accepted = guard_->lastAccepted();
  if (auto s = storage_->putState(stateNamespace(), kAcceptedPrefix + accepted.second,
                                  std::to_string(accepted.first));
      !s.ok()) {
    context_.logger().warn("CRM webhook signature not recorded (a replay after a restart would pass): " +
                           s.error().describe());
  }
  auto changes = dialect_->parseWebhook(request.body);
  if (!changes.ok()) {
    context_.logger().warn("CRM webhook body refused: " + changes.error().describe());
    respond(errorResponse(400, changes.error()));
    return;
  }
  auto report = remote_->apply(changes.value(), now);
  if (!report.ok()) {
    context_.logger().warn("CRM webhook not applied: " + report.error().describe());
    respond(errorResponse(report.error().isRetriable() ? 503 : 500, report.error()));
    return;
  }
  const auto& r = report.value();
  for (const auto& err : r.errors) {
    context_.logger().warn("CRM webhook change skipped: " + err);
  }
  respond({200, "application/json",
           nlohmann::json{{"applied", r.applied},
                          {"stale", r.stale},
                          {"unchanged", r.unchanged},
                          {"unknown", r.unknown},
                          {"errors", r.errors}}
               .dump()});
}

}  // namespace switchboard::crm
