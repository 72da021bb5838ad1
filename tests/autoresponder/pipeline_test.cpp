// The auto-responder loaded from its shared library into the real pipeline on SQLite, beside the
// loopback connector, with the Kafka bridge on the embedded broker: a greeting, a keyword answer,
// an FAQ answer, an away message and the human override, checked in the connector's output, in
// the stored history and in the Kafka records. Then two accounts whose auto-responders face each
// other through a connector that delivers each one's replies to the other: the exchange stops.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
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

std::string withoutSpaces(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\n'; }), s.end());
  return s;
}

sb::TimestampMs nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class AutoresponderPipeline : public ::testing::Test {
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

  // Starts the pipeline (with Kafka when asked) and the given plugins: (instance, library, YAML).
  void start(bool withKafka, const std::vector<std::tuple<std::string, std::string, std::string>>& specs) {
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
    pipeline_->attachPlugins(*plugins_);
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
    pipeline_->start();
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

  sb::InboundMessage message(const std::string& account, const std::string& peer, const std::string& text) {
    sb::InboundMessage m;
    m.account = account;
    m.networkId = "T" + std::to_string(++next_);
    m.chat = peer + "@s.whatsapp.net";
    m.sender = m.chat;
    m.senderName = "Dana Scully";
    m.timestamp = nowMs();
    m.text = text;
    return m;
  }

  void deliver(sb::InboundMessage m) {
    std::promise<sb::Status> stored;
    auto done = stored.get_future();
    ASSERT_TRUE(pipeline_->deliver(std::move(m), [&](sb::Status s) { stored.set_value(s); }).ok());
    ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
    ASSERT_TRUE(done.get().ok());
  }

  double metric(const std::string& name, sb::Labels labels) {
    labels["plugin"] = "bot";
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

const char* kBot = R"(
loop: {max_fast_replies: 10}
schedules:
  - {name: never, time_zone: Europe/Berlin}
rules:
  - {name: greet, kind: greeting, continue: true, reply: {text: "Welcome to Acme, {{contact.name|there}}!"}}
  - {name: pricing, kind: keyword, keywords: [price], reply: {text: "Plans start at 10 EUR."}}
  - {name: closed, kind: away, schedule: never, accounts: ["15550000002"], reply: {text: "We are closed right now."}}
faq:
  entries:
    - {id: hours, questions: ["What are your opening hours?"], answer: "9 to 5, Monday to Friday."}
)";

}  // namespace

TEST_F(AutoresponderPipeline, RepliesAreStoredExecutedAndOnKafkaMarkedWithTheirRule) {
  const auto sent1 = dir_.path() + "/sent1.txt", sent2 = dir_.path() + "/sent2.txt";
  start(true, {{"lb1", "loopback", "account: \"15550000001\"\nsent_file: " + sent1},
               {"lb2", "loopback", "account: \"15550000002\"\nsent_file: " + sent2},
               {"bot", "autoresponder", kBot}});
  const std::string account = "15550000001", customer = "15557770001";

  deliver(message(account, customer, "hello"));
  ASSERT_TRUE(eventually([&] { return lines(sent1).size() == 1; }, 10s));
  EXPECT_NE(lines(sent1)[0].find("Welcome to Acme, Dana Scully!"), std::string::npos) << lines(sent1)[0];

  deliver(message(account, customer, "what is the price?"));
  ASSERT_TRUE(eventually([&] { return lines(sent1).size() == 2; }, 10s));
  EXPECT_NE(lines(sent1)[1].find("Plans start at 10 EUR."), std::string::npos);

  deliver(message(account, customer, "what are your opening hours"));
  ASSERT_TRUE(eventually([&] { return lines(sent1).size() == 3; }, 10s));
  EXPECT_NE(lines(sent1)[2].find("9 to 5, Monday to Friday."), std::string::npos);

  deliver(message("15550000002", "15557770002", "hello?"));
  ASSERT_TRUE(eventually([&] { return lines(sent2).size() == 1; }, 10s));
  EXPECT_NE(lines(sent2)[0].find("We are closed right now."), std::string::npos) << "away, and no greeting after it";

  // An agent answers through a command; the bot then stays quiet in that conversation.
  auto conversations = store_->tenant(sb::kDefaultTenant)->listConversations({});
  ASSERT_TRUE(conversations.ok());
  auto conversation = std::find_if(conversations->begin(), conversations->end(),
                                   [&](const sb::Conversation& c) { return c.account == account; });
  ASSERT_NE(conversation, conversations->end());
  sb::OutboundCommand agent;
  agent.commandId = "agent-walter-1";
  agent.account = account;
  agent.to = customer;
  agent.conversation = conversation->id;
  agent.text = "Hi, Walter here. Let me check.";
  ASSERT_TRUE(pipeline_->submit(agent).ok());
  ASSERT_TRUE(eventually([&] { return lines(sent1).size() == 4; }, 10s));
  deliver(message(account, customer, "and the price for two?"));
  ASSERT_TRUE(eventually([&] { return metric("autoresponder_skipped_total", {{"reason", "human_override"}}) == 1; },
                         10s));
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(lines(sent1).size(), 4u);

  // Stored: three automatic replies and the agent's one in the conversation's history.
  auto history = store_->tenant(sb::kDefaultTenant)->listMessages(conversation->id, 50, std::nullopt);
  ASSERT_TRUE(history.ok());
  int automatic = 0, human = 0;
  for (const auto& m : history.value()) {
    if (m.outbound) {
      (m.automatic ? automatic : human) += 1;
    }
  }
  EXPECT_EQ(automatic, 3);
  EXPECT_EQ(human, 1);

  // On Kafka: each reply announced with automatic=true and its rule, the agent's with false,
  // and a `sent` result for every command.
  auto events = switchboard::test::readTopic(
      kafka_->bootstrapServers(), "switchboard.events", 5, 20s,
      [](const switchboard::test::Record& r) { return r.value.find("message.outbound") != std::string::npos; });
  std::vector<std::string> outbound;
  for (const auto& r : events) {
    if (r.value.find("message.outbound") != std::string::npos) {
      outbound.push_back(withoutSpaces(r.value));
    }
  }
  ASSERT_EQ(outbound.size(), 5u);
  for (const char* origin : {"bot/greet", "bot/pricing", "bot/faq:hours", "bot/closed"}) {
    const auto hit = std::find_if(outbound.begin(), outbound.end(), [&](const std::string& v) {
      return v.find("\"origin\":\"" + std::string(origin) + "\"") != std::string::npos &&
             v.find("\"automatic\":\"true\"") != std::string::npos;
    });
    EXPECT_NE(hit, outbound.end()) << origin;
  }
  EXPECT_EQ(std::count_if(outbound.begin(), outbound.end(),
                          [](const std::string& v) { return v.find("\"automatic\":\"false\"") != std::string::npos; }),
            1);
  auto results = switchboard::test::readTopic(kafka_->bootstrapServers(), "switchboard.results", 10, 20s);
  int sentAutomatic = 0;
  for (const auto& r : results) {
    const auto v = withoutSpaces(r.value);
    if (v.find("RESULT_STAGE_SENT") != std::string::npos && r.key.rfind("bot:", 0) == 0) {
      ++sentAutomatic;
    }
  }
  EXPECT_EQ(sentAutomatic, 4) << "greet, pricing, faq:hours, closed";
}

TEST_F(AutoresponderPipeline, TwoAccountsWithAutoRespondersFacingEachOtherStop) {
  const auto sent = dir_.path() + "/crossover.txt";
  start(false, {{"cross", SB_TEST_PLUGIN_DIR "/switchboard-test-crossover.so",
                 "accounts: [\"15551110000\", \"15552220000\"]\nsent_file: " + sent},
                {"bot", "autoresponder", R"(
rules:
  - {name: ack, kind: regex, pattern: ".", reply: {text: "Thanks for your message! An agent will be with you soon."}}
)"}});
  deliver(message("15551110000", "15552220000", "hello"));
  // Wait until nothing has been sent for a second (or give up after 20 s).
  std::size_t last = 0;
  auto quietSince = std::chrono::steady_clock::now();
  const auto limit = quietSince + 20s;
  while (std::chrono::steady_clock::now() < limit) {
    std::this_thread::sleep_for(100ms);
    const auto n = lines(sent).size();
    if (n != last) {
      last = n;
      quietSince = std::chrono::steady_clock::now();
    } else if (n > 0 && std::chrono::steady_clock::now() - quietSince > 1s) {
      break;
    }
  }
  EXPECT_GE(last, 3u) << "the bots did answer each other";
  EXPECT_LE(last, 8u) << "and stopped after a few messages";
  EXPECT_GE(metric("autoresponder_loops_total", {}), 1);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(lines(sent).size(), last) << "for good";
}
