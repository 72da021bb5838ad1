#pragma once

// The fixture of the AI agent's pipeline tests: the real pipeline on SQLite (in a temporary
// directory), optionally the Kafka bridge on the embedded broker, the plugin manager loading the
// plugins from the build's plugin directory (a connector and the AI agent plugin), and the
// scripted OpenAI-compatible server standing in for the model.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <ctime>
#include <fstream>
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "config/schema_validator.hpp"
#include "http/client.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka_test_support.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_http.hpp"
#include "plugin/plugin_manager.hpp"
#include "scripted_model_server.hpp"

namespace aitest {

namespace sb = switchboard::sdk;
namespace host = switchboard::host;
namespace ait = switchboard::aiagent::test;
using namespace std::chrono_literals;
using json = nlohmann::json;
using switchboard::test::eventually;


constexpr const char* kAccount = "15550000001";
constexpr const char* kCustomer = "15557770001";

inline std::vector<std::string> lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

inline sb::TimestampMs nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline std::string isoInDays(int days) {
  const std::time_t t = static_cast<std::time_t>(nowMs() / 1000 + days * 86400);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT10:00:00Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

// An ISO 8601 UTC time `seconds` from now.
inline std::string isoIn(std::int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(nowMs() / 1000 + seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

inline std::string utcDay(sb::TimestampMs ms) {
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

class AiAgentPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = switchboard::test::openTestStore(dir_.path());
    model_ = std::make_unique<ait::ScriptedModelServer>(io_);
    sent_ = dir_.path() + "/sent.txt";
    keyFile_ = dir_.path() + "/model.key";
    std::ofstream(keyFile_) << "test-key-123\n";
  }

  void TearDown() override {
    if (plugins_) {
      plugins_->stopAll(5s);
    }
    if (pipeline_) {
      pipeline_->drain(std::chrono::steady_clock::now() + 5s);
    }
    if (kafka_) {
      kafka_->stop(5s);
    }
    model_->stop();
    if (admin_) {
      admin_->stop();
    }
    work_.reset();
    // Let the servers' connections finish, then stop whatever is left.
    std::this_thread::sleep_for(100ms);
    io_.stop();
    for (auto& t : threads_) {
      t.join();
    }
    plugins_.reset();
    services_.reset();
    kafka_.reset();
    pipeline_.reset();
  }

  // The plugin's YAML; `extra` is appended at the top level.
  std::string config(const std::string& extra = "",
                     const std::string& appointments = "appointments: {reminder_before: 0}\n",
                     const std::string& handover = "{team: support, negative_sentiment: -0.5}") const {
    return "provider:\n"
           "  base_url: " + model_->baseUrl() + "\n"
           "  model: scripted-model\n"
           "  api_key_file: " + keyFile_ + "\n"
           "  timeout: 500ms\n"
           "  max_attempts: 4\n"
           "  initial_backoff: 50ms\n"
           "  max_backoff: 200ms\n"
           "  max_retry_after: 5s\n" +
           appointments +
           "agents:\n"
           "  - name: sales\n"
           "    system_prompt: \"You are Acme's sales assistant. Qualify leads and book demos.\"\n"
           "    tools: [lookup_contact, update_contact, book_appointment, move_appointment, cancel_appointment,\n"
           "            create_ticket, handover]\n"
           "    handover: " + handover + "\n" +
           extra;
  }

  // Starts the pipeline (with Kafka when asked), a connector (by default the loopback one for
  // kAccount, writing what it sends to sent_) and the AI agent plugin "ai" with `yaml`.
  void start(bool withKafka, const std::string& yaml, std::string connectorLibrary = "loopback",
             std::string connectorYaml = "") {
    if (connectorYaml.empty()) {
      connectorYaml = std::string("account: \"") + kAccount + "\"\nsent_file: " + sent_;
    }
    host::RecordEncoder encoder;
    if (withKafka) {
      encoder = {[](const sb::InboundMessage& m) { return host::inboundRecord(m); },
                 [](const sb::Event& e) { return host::eventRecord(e); },
                 [](const sb::CommandResult& r) { return host::resultRecord(r); }};
    }
    host::PipelineSettings settings;
    settings.batchLinger = 1ms;
    pipeline_ = std::make_unique<host::Pipeline>(io_, settings, store_, bus_, metrics_, encoder);
    if (withKafka) {
      kafka_ = std::make_unique<host::KafkaBridge>(switchboard::test::kafkaSection("json"), store_, *pipeline_,
                                                   metrics_);
      auto s = kafka_->start();
      ASSERT_TRUE(s.ok()) << s.error().describe();
      pipeline_->onOutboxWritten([this] { kafka_->notifyOutbox(); });
    }
    services_ = std::make_unique<host::HostServices>(
        host::HostServices{io_, metrics_, store_, bus_, *pipeline_, *pipeline_, dir_.path()});
    plugins_ = std::make_unique<host::PluginManager>(*services_, catalog_);
    // The plugins' routes served as the admin API serves them.
    auto router = std::make_shared<switchboard::http::Router>();
    host::mountPluginRoutes(*router, services_->httpRoutes);
    auto admin = switchboard::http::Server::start(io_.get_executor(), switchboard::http::ServerOptions{}, router);
    ASSERT_TRUE(admin.ok()) << admin.error().describe();
    admin_ = admin.value();
    pipeline_->attachPlugins(*plugins_);
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
    pipeline_->start();
    std::vector<host::PluginSpec> list;
    for (const auto& [name, library, text] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"connector", connectorLibrary, connectorYaml},
             {"ai", "ai-agent", yaml}}) {
      auto lib = catalog_.resolve(library);
      ASSERT_TRUE(lib.ok()) << lib.error().describe();
      host::ValidationContext ctx;
      ctx.file = "test.yaml";
      ctx.env = [](const std::string&) { return std::nullopt; };
      host::PluginSpec spec;
      spec.name = name;
      spec.library = library;
      spec.config = host::validateSection(YAML::Load(text), lib.value()->factory().configSchema(), name, ctx);
      ASSERT_TRUE(ctx.errors.empty()) << host::describe(ctx.errors);
      list.push_back(std::move(spec));
    }
    auto report = plugins_->apply(list, 10s);
    ASSERT_TRUE(report.failed.empty()) << "plugin failed to start: " << report.failed.front();
  }

  void say(const std::string& text) {
    sb::InboundMessage m;
    m.account = kAccount;
    m.networkId = "T" + std::to_string(++next_);
    m.chat = std::string(kCustomer) + "@s.whatsapp.net";
    m.sender = m.chat;
    m.senderName = "Dana Scully";
    m.timestamp = nowMs();
    m.text = text;
    std::promise<sb::Status> stored;
    auto done = stored.get_future();
    ASSERT_TRUE(pipeline_->deliver(std::move(m), [&](sb::Status s) { stored.set_value(s); }).ok());
    ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
    ASSERT_TRUE(done.get().ok());
  }

  double metric(const std::string& name, sb::Labels labels) {
    labels["plugin"] = "ai";
    return metrics_.value(name, labels);
  }

  // POSTs `body` to the plugin's admin route with `token` as bearer.
  switchboard::http::ClientResponse adminPost(const json& body, const std::string& token) {
    switchboard::http::ClientRequest req;
    req.method = "POST";
    req.url = admin_->baseUrl() + "/v1/hooks/ai/admin";
    req.headers["Authorization"] = "Bearer " + token;
    req.headers["Content-Type"] = "application/json";
    req.body = body.dump();
    auto r = switchboard::http::fetch(switchboard::http::ClientOptions{}, req);
    EXPECT_TRUE(r.ok()) << r.error().describe();
    return r.ok() ? r.value() : switchboard::http::ClientResponse{};
  }

  std::shared_ptr<sb::TenantStorage> storage() { return store_->tenant(sb::kDefaultTenant); }

  sb::Conversation conversation() {
    auto list = storage()->listConversations({});
    EXPECT_TRUE(list.ok());
    EXPECT_EQ(list->size(), 1u);
    return list->empty() ? sb::Conversation{} : list->front();
  }

  // Records of `events` whose JSON names one of `types`, once `count` of them arrived.
  std::vector<std::string> events(const std::vector<std::string>& types, std::size_t count) {
    auto records = switchboard::test::readTopic(
        kafka_->bootstrapServers(), "switchboard.events", count, 20s, [&](const switchboard::test::Record& r) {
          return std::any_of(types.begin(), types.end(), [&](const std::string& t) {
            return r.value.find("\"" + t + "\"") != std::string::npos;
          });
        });
    std::vector<std::string> out;
    for (const auto& r : records) {
      out.push_back(r.value);
    }
    return out;
  }

  switchboard::test::TempDir dir_;
  std::shared_ptr<host::Store> store_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  host::MetricsRegistry metrics_;
  host::LocalEventBus bus_;
  host::PluginCatalog catalog_{SB_PLUGIN_BUILD_DIR};
  std::unique_ptr<host::Pipeline> pipeline_;
  std::unique_ptr<host::KafkaBridge> kafka_;
  std::unique_ptr<host::HostServices> services_;
  std::unique_ptr<host::PluginManager> plugins_;
  std::unique_ptr<ait::ScriptedModelServer> model_;
  std::shared_ptr<switchboard::http::Server> admin_;
  std::string sent_, keyFile_;
  int next_ = 0;
};

}  // namespace aitest
