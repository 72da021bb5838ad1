#pragma once

// The campaigns plugin driven on the host's real pieces: a SQLite store, the host's plugin
// context (strand, bus, metrics), and an Outbound that stores each command the way the pipeline
// does (idempotent by command id) and notes when it was submitted. Timers are real: tests run the
// io_context until what they wait for has happened.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "campaigns_plugin.hpp"
#include "common/metrics.hpp"
#include "pipeline/event_bus.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_context.hpp"
#include "storage/store.hpp"

namespace switchboard::campaigns::test {

class RecordingOutbound final : public sdk::Outbound {
 public:
  sdk::Result<sdk::CommandResult> submit(const sdk::OutboundCommand& command) override;

  struct Submission {
    sdk::OutboundCommand command;
    std::chrono::steady_clock::time_point at;
    bool inserted = false;
  };
  std::shared_ptr<host::Store> store;
  std::vector<Submission> submissions;  ///< Every call.
  int storedCount() const;
};

class CampaignFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Validates `yaml` against the plugin's schema and starts an instance (stopping a running one).
  sdk::Status startPlugin(const std::string& yaml = "admin_token: secret\n");
  /// Stops and destroys the instance, as a crash or a restart would: only stored state survives.
  void stopPlugin();
  /// Runs the io_context until `done()` or `timeout`; returns done().
  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout);
  void runFor(std::chrono::milliseconds d);

  /// `n` opted-in contacts with phones 1555200xxxx and the given tags.
  std::vector<sdk::Contact> addContacts(int n, const std::vector<std::string>& tags, bool optedIn = true,
                                        int first = 0);
  /// A message from `phone` stored as the pipeline would, then handed to the plugin.
  sdk::Status receive(const std::string& phone, const std::string& text);
  /// Publishes a command result as a connector would.
  void result(const std::string& commandId, const char* stage, const std::string& networkId = "");

  nlohmann::json call(sdk::Result<nlohmann::json> r);
  /// Stored commands whose id starts with `prefix`, by id.
  std::map<std::string, sdk::OutboundCommand> storedCommands(const std::string& prefix);
  std::shared_ptr<sdk::TenantStorage> storage() { return store_->tenant(sdk::kDefaultTenant); }
  std::string state(const std::string& campaign);

  std::filesystem::path dir_;
  std::shared_ptr<host::Store> store_;
  boost::asio::io_context io_;
  host::MetricsRegistry metrics_;
  host::LocalEventBus bus_;
  RecordingOutbound outbound_;
  std::unique_ptr<host::Pipeline> sink_;
  std::unique_ptr<host::HostServices> services_;
  std::unique_ptr<host::PluginContextImpl> context_;
  std::unique_ptr<CampaignsPlugin> plugin_;
  int nextNetworkId_ = 0;
};

}  // namespace switchboard::campaigns::test
