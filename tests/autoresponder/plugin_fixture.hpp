#pragma once

// The plugin driven directly, with the host's real pieces around it: a SQLite store, the host's
// plugin context (bus wrapper, metrics with the plugin label), and an Outbound that records what
// the plugin submits and stores it the way the pipeline does (so the history shows replies). The
// clock is the test's; bus events are delivered when the test polls the io_context.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "autoresponder_plugin.hpp"
#include "common/metrics.hpp"
#include "pipeline/event_bus.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_context.hpp"
#include "storage/store.hpp"
#include "test_support.hpp"

namespace switchboard::autoresponder::test {

/// Records submitted commands and stores them like Pipeline::submit (idempotent by command id).
class RecordingOutbound final : public sdk::Outbound {
 public:
  sdk::Result<sdk::CommandResult> submit(const sdk::OutboundCommand& command) override;

  std::shared_ptr<host::Store> store;
  int failRetriably = 0;                       ///< Refuse this many submissions with a Retriable error.
  std::vector<sdk::OutboundCommand> submitted;  ///< Every call.
  std::vector<sdk::OutboundCommand> stored;     ///< Calls that stored a new command.
};

class PluginFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Validates `yaml` and starts a plugin instance named `instance` (stopping a running one).
  sdk::Status startPlugin(const std::string& yaml, const std::string& instance = "autoresponder");
  void stopPlugin();

  /// A text message to `account` from `peer`, not yet stored.
  sdk::InboundMessage message(const std::string& text, const std::string& peer = "15550001111",
                              const std::string& account = "15559990000");
  /// Stores `m` as the pipeline would, hands it to the plugin, then runs queued bus handlers.
  sdk::Status receive(sdk::InboundMessage m);
  /// The stored conversation `m` went into (after receive()).
  sdk::Conversation conversationOf(const sdk::InboundMessage& m);
  /// `m` as the plugin saw it (with the id and conversation the store gave it).
  const sdk::InboundMessage& stored(const sdk::InboundMessage& m) { return received_.at(m.networkId); }
  /// Publishes on the host bus and runs the handlers.
  void publish(const sdk::Event& e);
  void poll();
  std::shared_ptr<sdk::TenantStorage> storage() { return store_->tenant(sdk::kDefaultTenant); }
  double metric(const std::string& name, sdk::Labels labels = {});

  std::filesystem::path dir_;
  std::shared_ptr<host::Store> store_;
  boost::asio::io_context io_;
  host::MetricsRegistry metrics_;
  host::LocalEventBus bus_;
  RecordingOutbound outbound_;
  std::unique_ptr<host::Pipeline> sink_;  // only as the context's InboundSink; never started
  std::unique_ptr<host::HostServices> services_;
  std::unique_ptr<host::PluginContextImpl> context_;
  std::unique_ptr<AutoResponderPlugin> plugin_;
  std::string instance_;
  sdk::TimestampMs now_ = utc(2024, 1, 15, 10);  // Monday 11:00 in Berlin
  int next_ = 0;
  std::map<std::string, sdk::InboundMessage> received_;  // by network id, with the id and conversation stored
};

}  // namespace switchboard::autoresponder::test
