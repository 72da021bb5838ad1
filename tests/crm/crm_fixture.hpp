#pragma once

// The plugin driven with the host's real pieces around it: a SQLite store, the host's plugin
// context (its HTTP client is sb_http's, its routes the table the admin API mounts), a fake CRM
// over TLS on loopback, and the plugin routes served by an sb_http server as the admin API does.
// Two I/O threads run everything; plugin calls are made on the plugin's strand.

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/metrics.hpp"
#include "crm_plugin.hpp"
#include "fake_crm.hpp"
#include "http/client.hpp"
#include "pipeline/event_bus.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_context.hpp"
#include "storage/store.hpp"

namespace switchboard::crm::test {

/// Validates `yaml` against the plugin's schema with the host's validator (files read, defaults set).
sdk::ConfigValue configFromYaml(const std::string& yaml, std::vector<std::string>* errors = nullptr);

/// Refuses every command (the CRM sync submits none).
class NoOutbound final : public sdk::Outbound {
 public:
  sdk::Result<sdk::CommandResult> submit(const sdk::OutboundCommand&) override {
    return sdk::Error::permanent("test.no_outbound", "the CRM sync test takes no commands");
  }
};

class CrmFixture : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// The plugin's YAML: the fake CRM's URL and CA, fast retries, plus `extra` lines.
  std::string yaml(const std::string& extra = "", int maxAttempts = 3) const;
  sdk::Status startPlugin(const std::string& yaml);
  void stopPlugin();
  /// Runs `f` on the plugin's strand and waits for it.
  template <typename F>
  auto onStrand(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    boost::asio::post(context_->executor(), [&task] { task(); });
    return result.get();
  }
  sdk::Status event(const sdk::Event& e) {
    return onStrand([&] { return plugin_->onEvent(e); });
  }
  /// Stores a contact and returns it as stored.
  sdk::Contact addContact(const std::string& phone, const std::string& name,
                          std::map<std::string, std::string> fields = {});
  sdk::Event contactEvent(const std::string& type, const sdk::Contact& c) const;
  /// A conversation with one inbound and one outbound message for `contact`'s phone.
  sdk::ConversationId addConversation(const sdk::Contact& contact);
  /// Polls `pred` until it holds or `timeout` passes.
  bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = std::chrono::seconds(10));
  std::size_t pendingItems();
  std::vector<DeadLetter> deadLetters();
  std::shared_ptr<sdk::TenantStorage> storage() { return store_->tenant(sdk::kDefaultTenant); }
  /// POSTs `body` with `headers` to the plugin's webhook through the admin-style listener.
  http::ClientResponse postWebhook(const std::string& body, const std::map<std::string, std::string>& headers);
  double metric(const std::string& name, const sdk::Labels& labels);

  std::filesystem::path dir_;
  std::shared_ptr<host::Store> store_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  host::MetricsRegistry metrics_;
  host::LocalEventBus bus_;
  NoOutbound outbound_;
  std::unique_ptr<host::Pipeline> sink_;  // only as the context's InboundSink; never started
  std::unique_ptr<host::HostServices> services_;
  std::unique_ptr<FakeCrm> crm_;
  std::shared_ptr<http::Server> admin_;  // serves the plugin routes, as the admin API does
  std::unique_ptr<host::PluginContextImpl> context_;
  std::unique_ptr<CrmPlugin> plugin_;
  std::unique_ptr<sdk::EventBus::Subscription> syncFeed_;  // bus -> plugin, as the pipeline does
  std::string caFile_;
};

}  // namespace switchboard::crm::test
