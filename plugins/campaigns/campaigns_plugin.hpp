#pragma once

// The campaigns plugin: runs broadcast campaigns through the host's outbound path. Per run it
// records the audience (one pending record per recipient, selected by the storage's segment
// query), then sends to each recipient from its pool account at that account's pace, outside the
// recipient's quiet hours, with a command id derived from campaign, run and contact: after a
// crash, a pause or a restart the same pending recipients are submitted again under the same ids
// and the host's idempotent outbound path turns a repeat into a no-op. Command results, receipts
// and replies move each recipient's status forward; stop words opt contacts out of everything.
// Everything runs on the plugin's strand.

#include <boost/asio/steady_timer.hpp>

#include <nlohmann/json.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "campaign.hpp"
#include "campaign_store.hpp"
#include "lifecycle.hpp"
#include "opt_out.hpp"
#include "pacing.hpp"
#include "switchboard/sdk/context.hpp"
#include "switchboard/sdk/plugin.hpp"

namespace switchboard::campaigns {

/// Published on the bus when a contact opts out or in (subject = contact id; attributes source, detail).
inline constexpr const char* kEventOptOut = "campaign.opt_out";
inline constexpr const char* kEventOptIn = "campaign.opt_in";
/// Published when a campaign changes state (subject = campaign id; attributes state, run).
inline constexpr const char* kEventCampaignState = "campaign.state";

class CampaignsPlugin final : public sdk::Plugin, public sdk::Responder {
 public:
  using Clock = std::function<sdk::TimestampMs()>;

  explicit CampaignsPlugin(sdk::PluginContext& ctx);
  CampaignsPlugin(sdk::PluginContext& ctx, Clock clock);
  ~CampaignsPlugin() override;

  static sdk::ConfigSchema schema();

  sdk::Status start() override;
  void stop() override;
  sdk::Responder* asResponder() override { return this; }
  sdk::Status onInbound(const sdk::InboundMessage& message, const sdk::Conversation& conversation) override;

  // ---- Administration (the admin routes call these; call them on the plugin's strand) ----

  /// Stores a new campaign as draft, or scheduled when `schedule`. Refuses an id already used.
  sdk::Result<nlohmann::json> create(const nlohmann::json& definition, bool schedule);
  /// Replaces the definition of a campaign between runs (draft, scheduled or paused, no run under
  /// way): a run in progress keeps the variants and accounts its recipients were given.
  sdk::Result<nlohmann::json> update(const nlohmann::json& definition);
  /// schedule, pause, resume or cancel.
  sdk::Result<nlohmann::json> act(const std::string& id, Action action);
  /// Definition, state and funnel.
  sdk::Result<nlohmann::json> describe(const std::string& id);
  sdk::Result<nlohmann::json> list();
  /// The funnel per variant and the A/B verdict; `run` 0 = all runs.
  sdk::Result<nlohmann::json> report(const std::string& id, const std::string& metric, int run);
  /// Opts a contact out or in by hand (source "admin" unless given).
  sdk::Result<nlohmann::json> setOptOut(const sdk::ContactId& contact, bool optedOut, const std::string& source,
                                        const std::string& detail);
  sdk::Result<nlohmann::json> optOutStatus(const sdk::ContactId& contact);

 private:
  struct Live {
    Campaign def;
    RunState st;
    std::map<std::string, std::string> bodies;  // variant -> message body of the current run
    bool loaded = false;                        // pending recipients of the current run are in lanes
    int queued = 0;                             // items of this campaign in lanes and deferred
  };
  struct Item {
    std::string campaign;
    int run = 0;
    std::string contact;
  };
  struct Lane {
    AccountPacer pacer;
    std::deque<Item> items;
  };

  void onEvent(const sdk::Event& e);
  void onCommandResult(const sdk::Event& e);
  void wake(sdk::TimestampMs at);
  void pump();
  void loadAll();
  void startRun(Live& live, sdk::TimestampMs now);
  enum class Selection { More, Complete, Failed };
  /// Records one page of the audience.
  Selection selectPage(Live& live, sdk::TimestampMs now);
  sdk::Status resolveBodies(Live& live);
  void loadPending(Live& live);
  void unload(const std::string& campaign);
  /// Tries the first item of a lane; true when it used the lane's slot (submitted or failed it).
  bool dispatchOne(const std::string& laneKey, Lane& lane, sdk::TimestampMs now);
  void finishRunIfDone(Live& live, sdk::TimestampMs now);
  sdk::Status setState(Live& live, State next, sdk::TimestampMs now);
  sdk::Status updateRecipient(const std::string& campaign, int run, const std::string& contact, Status to,
                              const std::string& reason, const std::string& networkId, sdk::TimestampMs now);
  void handleStopWord(const sdk::InboundMessage& m, const sdk::Conversation& c, const std::string& word);
  void registerRoutes();
  nlohmann::json summary(const Live& live);
  sdk::Counter& counter(const std::string& name, const std::string& help, const sdk::Labels& labels);

  sdk::PluginContext& ctx_;
  Clock clock_;
  std::string tenant_;
  StopWords stopWords_;
  StopWords startWords_;
  std::string confirmation_;
  long long replyWindowMs_;
  int maxRecipients_;
  double alpha_;
  std::unique_ptr<CampaignStore> store_;
  std::map<std::string, Live> campaigns_;
  std::map<std::string, Lane> lanes_;                       // "<campaign>/<account>"
  std::multimap<sdk::TimestampMs, std::pair<std::string, Item>> deferred_;  // quiet hours: due -> lane, item
  boost::asio::steady_timer timer_;
  sdk::TimestampMs timerAt_ = 0;
  bool pumping_ = false;
  std::vector<std::unique_ptr<sdk::EventBus::Subscription>> subscriptions_;
  std::vector<std::unique_ptr<sdk::HttpRoute>> routes_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace switchboard::campaigns
