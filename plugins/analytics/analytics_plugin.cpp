#include "analytics_plugin.hpp"

#include <chrono>

#include "daily_summary.hpp"
#include "local_day.hpp"
#include "survey_answer.hpp"

namespace switchboard::analytics {

namespace {

sdk::TimestampMs systemNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Where the plugin remembers the last day it published (plugin state, per instance).
constexpr const char* kLastSummaryKey = "daily_summary.last_day";

bool isGroup(const std::string& peer) { return peer.size() > 5 && peer.compare(peer.size() - 5, 5, "@g.us") == 0; }

}  // namespace

AnalyticsPlugin::AnalyticsPlugin(sdk::PluginContext& ctx) : AnalyticsPlugin(ctx, systemNow) {}

AnalyticsPlugin::AnalyticsPlugin(sdk::PluginContext& ctx, Clock clock)
    : ctx_(ctx),
      clock_(std::move(clock)),
      closedTotal_(ctx.metrics().counter("analytics_conversations_closed_total", "Conversation closes recorded")),
      surveysSent_(ctx.metrics().counter("analytics_surveys_sent_total", "Satisfaction surveys sent")),
      surveyErrors_(ctx.metrics().counter("analytics_survey_errors_total",
                                          "Closes or surveys that could not be recorded or sent")),
      inboundTotal_(ctx.metrics().counter("analytics_inbound_messages_total", "Customer messages seen")),
      todayConversations_(ctx.metrics().gauge("analytics_today_conversations", "Episodes opened today")),
      todayResolution_(ctx.metrics().gauge("analytics_today_resolution_ratio",
                                           "Share of today's episodes already closed")),
      todayFirstResponse_(ctx.metrics().gauge("analytics_today_first_response_seconds",
                                              "Mean first response time of today's episodes")),
      todayResponse_(ctx.metrics().gauge("analytics_today_response_seconds", "Mean response time of today's turns")),
      todayDuration_(ctx.metrics().gauge("analytics_today_duration_seconds",
                                         "Mean duration of today's resolved episodes")),
      todaySatisfaction_(ctx.metrics().gauge("analytics_today_satisfaction_score",
                                             "Mean survey score (1-5) of today's surveys")),
      todayInbound_(ctx.metrics().gauge("analytics_today_inbound_messages", "Customer messages today")),
      todayOutbound_(ctx.metrics().gauge("analytics_today_outbound_messages", "Messages sent today")) {}

AnalyticsPlugin::~AnalyticsPlugin() = default;

sdk::Status AnalyticsPlugin::start() {
  auto settings = readSettings(ctx_.config());
  SB_TRY(settings);
  settings_ = std::move(settings).value();
  closed_ = ctx_.events().subscribe("conversation.closed", [this](const sdk::Event& e) { onClosed(e); });
  timer_ = std::make_unique<boost::asio::steady_timer>(ctx_.executor());
  refresh();
  return sdk::okStatus();
}

void AnalyticsPlugin::stop() {
  stopped_ = true;
  closed_.reset();
  if (timer_) {
    timer_->cancel();
  }
}

void AnalyticsPlugin::schedule() {
  if (stopped_ || !timer_) {
    return;
  }
  timer_->expires_after(settings_.refreshInterval);
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !stopped_) {
      refresh();
    }
  });
}

void AnalyticsPlugin::refresh() {
  refreshGauges();
  if (settings_.dailySummary) {
    publishDailySummary();
  }
  schedule();
}

void AnalyticsPlugin::onClosed(const sdk::Event& event) {
  auto storage = ctx_.storage(event.tenant);
  auto conv = storage->getConversation(event.conversation);
  if (!conv.ok() || !conv.value()) {
    surveyErrors_.inc();
    ctx_.logger().warn("closed conversation not found conversation=" + event.conversation +
                       (conv.ok() ? "" : " error=\"" + conv.error().describe() + "\""));
    return;
  }
  const sdk::Conversation& c = *conv.value();
  const sdk::TimestampMs at = event.timestamp != 0 ? event.timestamp : clock_();
  if (auto s = storage->recordConversationClosed(c.id, c.assignee, at); !s.ok()) {
    surveyErrors_.inc();
    ctx_.logger().warn("close not recorded conversation=" + c.id + " error=\"" + s.error().describe() + "\"");
    return;
  }
  closedTotal_.inc();
  if (!settings_.survey || isGroup(c.peer)) {
    return;
  }
  sdk::OutboundCommand cmd;
  // Derived from the close: a redelivered close event sends no second survey.
  cmd.commandId = ctx_.instanceName() + ":survey:" + c.id + ":" + std::to_string(at);
  cmd.tenant = event.tenant;
  cmd.account = c.account;
  cmd.kind = sdk::CommandKind::SendText;
  cmd.to = c.peer;
  cmd.conversation = c.id;
  cmd.text = settings_.surveyText;
  cmd.automatic = true;
  cmd.origin = ctx_.instanceName() + "/survey";
  cmd.createdAt = clock_();
  // Recorded before it is sent: the customer's answer may be stored (on another strand) before
  // submit() returns, and an answer to a survey not yet recorded would be taken for a plain message.
  if (auto s = storage->recordSurveySent(c.id, c.assignee, cmd.commandId, cmd.createdAt); !s.ok()) {
    surveyErrors_.inc();
    ctx_.logger().warn("survey not recorded conversation=" + c.id + " error=\"" + s.error().describe() + "\"");
    return;
  }
  auto submitted = ctx_.outbound().submit(cmd);
  if (!submitted.ok()) {
    surveyErrors_.inc();
    ctx_.logger().warn("survey not sent conversation=" + c.id + " error=\"" + submitted.error().describe() + "\"");
    return;
  }
  surveysSent_.inc();
}

sdk::Status AnalyticsPlugin::onInbound(const sdk::InboundMessage& message, const sdk::Conversation& conversation) {
  if (message.fromMe || message.isGroup) {
    return sdk::okStatus();
  }
  inboundTotal_.inc();
  if (!settings_.survey) {
    return sdk::okStatus();
  }
  auto storage = ctx_.storage(message.tenant);
  const auto score = parseSurveyScore(message.text);
  auto settled = storage->settleSurvey(conversation.id, {score, message.id, clock_()},
                                       static_cast<sdk::TimestampMs>(settings_.answerWindow.count()));
  SB_TRY(settled);
  if (!settled.value()) {
    return sdk::okStatus();
  }
  ctx_.metrics()
      .counter("analytics_survey_answers_total", "Survey answers by score (none: the reply was no score)",
               {{"score", score ? std::to_string(*score) : "none"}})
      .inc();
  // The score alone reopened the conversation; nothing in it needs an agent.
  if (score && settings_.recloseAfterAnswer) {
    SB_TRY(storage->setConversationStatus(conversation.id, sdk::ConversationStatus::Closed));
  }
  return sdk::okStatus();
}

void AnalyticsPlugin::refreshGauges() {
  auto day = localDayOf(clock_(), settings_.timeZone);
  if (!day.ok()) {
    return;
  }
  auto summary = ctx_.storage(settings_.tenant)->analyticsSummary(day.value().range);
  if (!summary.ok()) {
    ctx_.logger().warn("analytics not computed error=\"" + summary.error().describe() + "\"");
    return;
  }
  const auto& s = summary.value();
  todayConversations_.set(static_cast<double>(s.episodes));
  todayResolution_.set(s.resolutionRate());
  todayFirstResponse_.set(s.firstResponseMs.mean() / 1000.0);
  todayResponse_.set(s.responseMs.mean() / 1000.0);
  todayDuration_.set(s.durationMs.mean() / 1000.0);
  todaySatisfaction_.set(s.satisfaction.score.mean());
  todayInbound_.set(static_cast<double>(s.inboundMessages));
  todayOutbound_.set(static_cast<double>(s.outboundMessages));
}

void AnalyticsPlugin::publishDailySummary() {
  const sdk::TimestampMs now = clock_();
  auto today = localDayOf(now, settings_.timeZone);
  if (!today.ok() || now < today.value().range.from + settings_.dailySummaryDelay.count()) {
    return;
  }
  auto yesterday = localDayOf(today.value().range.from - 1, settings_.timeZone);
  if (!yesterday.ok()) {
    return;
  }
  auto storage = ctx_.storage(settings_.tenant);
  auto last = storage->getState(ctx_.instanceName(), kLastSummaryKey);
  // Labels are ISO dates, so text order is day order.
  if (!last.ok() || (last.value() && *last.value() >= yesterday.value().label)) {
    return;
  }
  auto summary = storage->analyticsSummary(yesterday.value().range);
  if (!summary.ok()) {
    ctx_.logger().warn("daily summary not computed error=\"" + summary.error().describe() + "\"");
    return;
  }
  // Remembered first: a crash after this point loses one summary rather than repeating it
  // every start.
  if (auto s = storage->putState(ctx_.instanceName(), kLastSummaryKey, yesterday.value().label); !s.ok()) {
    return;
  }
  // Through the host's event path, so the record reaches Kafka `events` as well as the bus.
  ctx_.inbound().event(dailySummaryEvent(settings_.tenant, yesterday.value(), summary.value(), now));
}

}  // namespace switchboard::analytics
