#pragma once

// The path between plugins: connector -> store -> router -> responders -> outbox (Kafka), and
// commands back: Kafka/admin/plugins -> store -> connector -> results. Queues are bounded; when
// the database is away the store stage pauses and retries, so nothing is acked that is not stored.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <map>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "common/metrics.hpp"
#include "storage/command_gate.hpp"
#include "pipeline/command_sink.hpp"
#include "pipeline/event_bus.hpp"
#include "pipeline/inbound_queue.hpp"
#include "pipeline/record_encoder.hpp"
#include "pipeline/tenant_fair_queue.hpp"
#include "plugin/plugin_manager.hpp"
#include "storage/store.hpp"

namespace switchboard::host {

struct PipelineSettings {
  std::size_t inboundQueue = 10'000;
  std::size_t batchSize = 256;
  std::chrono::milliseconds batchLinger{2};
  std::size_t outboundInFlight = 10'000;
  std::chrono::milliseconds retryBackoff{200};
  /// Percentage of the inbound queue and of the commands in flight that one tenant may hold.
  unsigned tenantShare = 75;

  static PipelineSettings fromConfig(const sdk::ConfigValue& section);
};

class Pipeline final : public sdk::InboundSink, public sdk::Outbound, public CommandSink {
 public:
  Pipeline(boost::asio::io_context& io, PipelineSettings settings, std::shared_ptr<Store> store, LocalEventBus& bus,
           MetricsRegistry& metrics, RecordEncoder encoder);
  ~Pipeline() override;

  /// Plugins are known after construction (they need the pipeline as their sink).
  void attachPlugins(PluginManager& plugins) { plugins_ = &plugins; }
  /// Called after records were added to the outbox (the Kafka relay wakes up).
  void onOutboxWritten(std::function<void()> fn) { outboxWritten_ = std::move(fn); }
  /// While this returns true (the outbox is over its limit) new inbound work is refused, so a
  /// long Kafka outage fills neither memory nor the disk without bound.
  void refuseWhile(std::function<bool()> overloaded) { overloaded_ = std::move(overloaded); }

  void start();
  /// While the daemon starts its plugins, a send command for an account no connector claims yet
  /// is retried (from Kafka) or left pending (stored ones) instead of failing as an unknown
  /// account: its connector may simply not run yet. Commands written while the daemon was down
  /// arrive in exactly that window.
  void holdCommandsWhileConnectorsStart(bool hold) { connectorsStarting_ = hold; }
  /// Scale-out: `elsewhere(command)` says whether the command's account may run on another daemon.
  /// Such a send command is accepted although no connector here runs its account, and stays
  /// pending in the shared database until the sweep of the daemon that runs the account sends it.
  void commandsMayRunElsewhere(std::function<bool(const sdk::OutboundCommand&)> elsewhere) {
    runsElsewhere_ = std::move(elsewhere);
  }
  /// Refuses new messages, stores everything queued (retrying until `deadline`), and stops.
  /// Returns false when the deadline passed with messages still unstored (they were never acked).
  bool drain(std::chrono::steady_clock::time_point deadline);

  // sdk::InboundSink
  sdk::Status deliver(sdk::InboundMessage message, Done done) override;
  void event(const sdk::Event& event) override;
  void result(const sdk::CommandResult& result) override;
  sdk::Status deliverWithState(sdk::InboundDelivery delivery, Done done) override;

  // sdk::Outbound
  sdk::Result<sdk::CommandResult> submit(const sdk::OutboundCommand& command) override;

  // CommandSink
  sdk::Status validate(const sdk::OutboundCommand& command) override;
  void dispatch(const sdk::OutboundCommand& command) override;

  std::size_t queued() const { return queue_.size(); }

 private:
  sdk::Status enqueue(PendingInbound item);
  void storeLoop();
  void afterStored(const sdk::InboundMessage& message, const InboundStored& stored);
  /// Publishes contact.created (bus and Kafka `events`) for a contact the message created.
  void announceNewContact(const sdk::InboundMessage& message, const sdk::ContactId& contact);
  void runPlugins(sdk::InboundMessage message);
  /// `fromWaiting`: the command comes out of waiting_ (otherwise one waiting there is skipped).
  void dispatchStored(const sdk::OutboundCommand& command, bool fromWaiting = false);
  void announceOutbound(const sdk::OutboundCommand& command);
  void dispatchToConnector(const sdk::OutboundCommand& command);
  sdk::Status applyManagementCommand(const sdk::OutboundCommand& command);
  void sweepPendingCommands();
  void scheduleSweep();
  void notifyOutbox();
  PluginInstancePtr connectorFor(const sdk::OutboundCommand& command) const;
  /// Forgets a command in flight (sent, failed, or left pending for the sweep).
  void releaseInFlight(const std::string& tenant, const std::string& commandId);
  /// After a slot was freed: hands the next waiting command of a tenant with room to dispatch.
  void dispatchWaiting();
  /// Queues the command for the connector's strand; each tenant's commands wait in their own line.
  void postToConnector(const PluginInstancePtr& inst, const sdk::OutboundCommand& command);
  void executeOnConnector(const PluginInstancePtr& inst, const sdk::OutboundCommand& command);

  boost::asio::io_context& io_;
  PipelineSettings settings_;
  std::shared_ptr<Store> store_;
  LocalEventBus& bus_;
  MetricsRegistry& metrics_;
  // Plugins' commands (campaigns, responders, the admin API) pass the same tenancy checks as
  // Kafka's: another tenant's account, a suspended tenant, the daily message quota.
  TenantCommandGate gate_;
  RecordEncoder encoder_;
  PluginManager* plugins_ = nullptr;
  std::function<void()> outboxWritten_;
  std::function<bool()> overloaded_;

  InboundQueue queue_;
  std::thread storeThread_;
  std::atomic<bool> storeDraining_{false};
  std::atomic<std::int64_t> drainDeadlineNs_{0};
  std::atomic<std::size_t> unstoredAtExit_{0};

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;  // commands and sweeps
  boost::asio::steady_timer sweepTimer_;
  std::mutex inFlightMutex_;
  std::set<std::string> inFlight_;  // tenant + "/" + command id
  std::map<std::string, std::size_t> inFlightByTenant_;
  std::size_t inFlightTenantLimit_;
  // Commands that found no room in flight, by tenant: a freed slot goes to the next tenant in turn
  // (the sweep alone would page the oldest pending commands first, one tenant's campaign before
  // everyone else). Bounded; beyond it the sweep finds them in storage. A command waiting here is
  // dispatched from here only, never also by the sweep, so it cannot go out twice.
  TenantFairQueue<sdk::OutboundCommand> waiting_;
  std::set<std::string> waitingKeys_;
  // Commands waiting for a connector's strand, by connector instance, served round robin by tenant.
  struct ConnectorLine {
    std::mutex mutex;
    TenantFairQueue<sdk::OutboundCommand> commands;
  };
  std::mutex linesMutex_;
  std::map<const PluginInstance*, std::shared_ptr<ConnectorLine>> lines_;
  std::unique_ptr<sdk::EventBus::Subscription> syncSubscription_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> connectorsStarting_{false};
  std::function<bool(const sdk::OutboundCommand&)> runsElsewhere_;  // set before start()

  sdk::Gauge& queueDepth_;
  sdk::Counter& stored_;
  sdk::Counter& duplicates_;
  sdk::Counter& rejected_;
  sdk::Counter& tenantRejected_;
  sdk::Counter& storeFailures_;
  sdk::Histogram& storeLatency_;
  sdk::Counter& commandsDispatched_;
  sdk::Counter& pluginErrors_;
};

}  // namespace switchboard::host
