// The analytics plugin loaded from its shared library into the real pipeline on SQLite, beside
// the loopback connector, with the Kafka bridge on the embedded broker: closing a conversation
// sends the satisfaction survey through the normal outbound path, the customer's "5" is stored as
// the answer and closes the conversation again, the figures count it, and the daily summary
// record reaches Kafka `events`.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "config/schema_validator.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka_test_support.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_manager.hpp"

namespace sb = switchboard::sdk;
namespace host = switchboard::host;
using namespace std::chrono_literals;
using switchboard::test::eventually;

namespace {

std::vector<std::string> lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    out.push_back(line);
  }
  return out;
}

sb::TimestampMs nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr const char* kAccount = "15550000001";
constexpr const char* kCustomer = "15557770001";
constexpr const char* kSurvey = "How did we do? Answer 1 to 5.";

class SurveyPipeline : public ::testing::Test {
 protected:
  void SetUp() override { store_ = switchboard::test::openTestStore(dir_.path()); }

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
    work_.reset();
    io_.stop();
    for (auto& t : threads_) {
      t.join();
    }
    plugins_.reset();
    services_.reset();
    kafka_.reset();
    pipeline_.reset();
  }

  void start() {
    host::RecordEncoder encoder{[](const sb::InboundMessage& m) { return host::inboundRecord(m); },
                                [](const sb::Event& e) { return host::eventRecord(e); },
                                [](const sb::CommandResult& r) { return host::resultRecord(r); }};
    host::PipelineSettings settings;
    settings.batchLinger = 1ms;
    pipeline_ = std::make_unique<host::Pipeline>(io_, settings, store_, bus_, metrics_, encoder);
    kafka_ = std::make_unique<host::KafkaBridge>(switchboard::test::kafkaSection("json"), store_, *pipeline_,
                                                 metrics_);
    auto s = kafka_->start();
    ASSERT_TRUE(s.ok()) << s.error().describe();
    pipeline_->onOutboxWritten([this] { kafka_->notifyOutbox(); });
    services_ = std::make_unique<host::HostServices>(
        host::HostServices{io_, metrics_, store_, bus_, *pipeline_, *pipeline_, dir_.path()});
    plugins_ = std::make_unique<host::PluginManager>(*services_, catalog_);
    pipeline_->attachPlugins(*plugins_);
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
    pipeline_->start();
    const std::vector<std::tuple<std::string, std::string, std::string>> specs = {
        {"lb", "loopback", std::string("account: \"") + kAccount + "\"\nsent_file: " + sent()},
        {"stats", "analytics",
         std::string("time_zone: Europe/Berlin\nsurvey_text: \"") + kSurvey +
             "\"\nrefresh_interval: 200ms\ndaily_summary_delay: 0s\n"}};
    std::vector<host::PluginSpec> list;
    for (const auto& [name, library, yaml] : specs) {
      auto lib = catalog_.resolve(library);
      ASSERT_TRUE(lib.ok()) << lib.error().describe();
      host::ValidationContext ctx;
      ctx.file = "test.yaml";
      ctx.env = [](const std::string&) { return std::nullopt; };
      host::PluginSpec spec;
      spec.name = name;
      spec.library = library;
      spec.config = host::validateSection(YAML::Load(yaml), lib.value()->factory().configSchema(), name, ctx);
      ASSERT_TRUE(ctx.errors.empty()) << host::describe(ctx.errors);
      list.push_back(std::move(spec));
    }
    auto report = plugins_->apply(list, 10s);
    ASSERT_TRUE(report.failed.empty()) << "plugin failed to start: " << report.failed.front();
  }

  std::string sent() const { return dir_.path() + "/sent.txt"; }

  void deliver(const std::string& text) {
    sb::InboundMessage m;
    m.account = kAccount;
    m.networkId = "T" + std::to_string(++next_);
    m.chat = std::string(kCustomer) + "@s.whatsapp.net";
    m.sender = m.chat;
    m.timestamp = nowMs();
    m.text = text;
    std::promise<sb::Status> stored;
    auto done = stored.get_future();
    ASSERT_TRUE(pipeline_->deliver(std::move(m), [&](sb::Status s) { stored.set_value(s); }).ok());
    ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
    ASSERT_TRUE(done.get().ok());
  }

  sb::OutboundCommand command(const std::string& id, sb::CommandKind kind, const std::string& conversation) {
    sb::OutboundCommand c;
    c.commandId = id;
    c.account = kAccount;
    c.kind = kind;
    c.to = kCustomer;
    c.conversation = conversation;
    c.text = "Let me check that for you.";
    return c;
  }

  double metric(const std::string& name, sb::Labels labels = {}) {
    labels["plugin"] = "stats";
    return metrics_.value(name, labels);
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
  int next_ = 0;
};

}  // namespace

TEST_F(SurveyPipeline, CloseSendsTheSurveyAndTheNextMessageIsItsAnswer) {
  ASSERT_NO_FATAL_FAILURE(start());
  auto tenant = store_->tenant(sb::kDefaultTenant);
  sb::Agent ana;
  ana.id = "ana";
  ana.name = "Ana";
  ASSERT_TRUE(tenant->upsertAgent(ana).ok());
  const auto t0 = nowMs();

  deliver("my order has not arrived");
  auto conversations = tenant->listConversations({});
  ASSERT_TRUE(conversations.ok());
  ASSERT_EQ(conversations->size(), 1u);
  const std::string conv = conversations->front().id;
  ASSERT_TRUE(tenant->assignConversation(conv, "ana").ok());
  ASSERT_TRUE(pipeline_->submit(command("reply-1", sb::CommandKind::SendText, conv)).ok());
  ASSERT_TRUE(eventually([&] { return lines(sent()).size() == 1; }, 10s));

  // The close goes the normal way (a command); the survey follows it out through the connector.
  ASSERT_TRUE(pipeline_->submit(command("close-1", sb::CommandKind::Close, conv)).ok());
  ASSERT_TRUE(eventually([&] { return lines(sent()).size() == 2; }, 10s)) << "the survey was sent";
  EXPECT_NE(lines(sent())[1].find(kSurvey), std::string::npos) << lines(sent())[1];
  EXPECT_EQ(metric("analytics_surveys_sent_total"), 1);
  EXPECT_EQ(metric("analytics_conversations_closed_total"), 1);
  auto history = tenant->listMessages(conv, 10, std::nullopt);
  ASSERT_TRUE(history.ok());
  ASSERT_FALSE(history->empty());
  EXPECT_TRUE(history->front().automatic) << "the survey is stored as an automatic message";

  // The customer answers; the answer is taken and the conversation is closed again.
  deliver("5");
  ASSERT_TRUE(eventually([&] { return metric("analytics_survey_answers_total", {{"score", "5"}}) == 1; }, 10s));
  ASSERT_TRUE(eventually(
      [&] { return tenant->getConversation(conv).value()->status == sb::ConversationStatus::Closed; }, 10s));

  const sb::AnalyticsRange range{t0 - 1000, nowMs() + 1000, "Europe/Berlin"};
  auto summary = tenant->analyticsSummary(range);
  ASSERT_TRUE(summary.ok()) << summary.error().describe();
  EXPECT_EQ(summary->episodes, 1) << "the score opened no new episode";
  EXPECT_EQ(summary->resolved, 1);
  EXPECT_EQ(summary->firstResponseMs.count, 1);
  EXPECT_EQ(summary->satisfaction.sent, 1);
  EXPECT_EQ(summary->satisfaction.answered, 1);
  EXPECT_DOUBLE_EQ(summary->satisfaction.score.mean(), 5.0);
  auto agents = tenant->agentAnalytics(range);
  ASSERT_TRUE(agents.ok());
  ASSERT_EQ(agents->size(), 1u);
  EXPECT_EQ(agents->front().agent, "ana");
  EXPECT_EQ(agents->front().resolved, 1);

  // A later message is a new request, not a second answer.
  deliver("4");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(metric("analytics_survey_answers_total", {{"score", "4"}}), 0);
  EXPECT_EQ(tenant->getConversation(conv).value()->status, sb::ConversationStatus::Open);

  // The gauges show today's figures, and yesterday's summary went to Kafka `events`.
  EXPECT_TRUE(eventually([&] { return metric("analytics_today_satisfaction_score") == 5.0; }, 10s));
  auto events = switchboard::test::readTopic(
      kafka_->bootstrapServers(), "switchboard.events", 1, 20s,
      [](const switchboard::test::Record& r) { return r.value.find("analytics.daily_summary") != std::string::npos; });
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].value.find("\"time_zone\""), std::string::npos) << events[0].value;
  EXPECT_NE(events[0].value.find("Europe/Berlin"), std::string::npos) << events[0].value;
}
