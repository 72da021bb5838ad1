#pragma once

// The analytics plugin: records each close of a conversation (where episodes end, and who
// resolved them), sends the post-chat satisfaction survey through the normal outbound path and
// takes the customer's next message as its answer, keeps Prometheus counters and gauges, and
// publishes a summary of each local day on `events`. The figures themselves are computed by the
// storage in SQL (TenantStorage::analyticsSummary and friends); this plugin only feeds and shows
// them. Everything runs on the plugin's strand.

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "analytics_settings.hpp"
#include "switchboard/sdk/context.hpp"
#include "switchboard/sdk/plugin.hpp"

namespace switchboard::analytics {

class AnalyticsPlugin final : public sdk::Plugin, public sdk::Responder {
 public:
  using Clock = std::function<sdk::TimestampMs()>;

  explicit AnalyticsPlugin(sdk::PluginContext& ctx);
  /// With another clock (tests).
  AnalyticsPlugin(sdk::PluginContext& ctx, Clock clock);
  ~AnalyticsPlugin() override;

  static sdk::ConfigSchema schema() { return analyticsSchema(); }

  sdk::Status start() override;
  void stop() override;
  sdk::Responder* asResponder() override { return this; }
  sdk::Status onInbound(const sdk::InboundMessage& message, const sdk::Conversation& conversation) override;

  /// Recomputes the gauges and publishes any daily summary due (the timer calls it).
  void refresh();

 private:
  void onClosed(const sdk::Event& event);
  void publishDailySummary();
  void refreshGauges();
  void schedule();

  sdk::PluginContext& ctx_;
  Clock clock_;
  AnalyticsSettings settings_;
  std::unique_ptr<sdk::EventBus::Subscription> closed_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  bool stopped_ = false;

  sdk::Counter& closedTotal_;
  sdk::Counter& surveysSent_;
  sdk::Counter& surveyErrors_;
  sdk::Counter& inboundTotal_;
  sdk::Gauge& todayConversations_;
  sdk::Gauge& todayResolution_;
  sdk::Gauge& todayFirstResponse_;
  sdk::Gauge& todayResponse_;
  sdk::Gauge& todayDuration_;
  sdk::Gauge& todaySatisfaction_;
  sdk::Gauge& todayInbound_;
  sdk::Gauge& todayOutbound_;
};

}  // namespace switchboard::analytics
