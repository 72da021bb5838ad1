// The routing plugin as the daemon runs it: the built switchboard-routing.so loaded by the plugin
// manager, its YAML section validated against the schema the library declares, the real pipeline
// on SQLite storing customers' messages and calling the router, assignment events on the bus and
// in the Kafka outbox (with the assignee the sb-assignee header carries), the loopback connector
// sending what the plugin sends, and agent status changed by a command as Kafka delivers it.

#include <gtest/gtest.h>

#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <boost/asio/executor_work_guard.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "config/schema_validator.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka_test_support.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_manager.hpp"
#include "storage/storage_config.hpp"

using namespace switchboard::host;
namespace sb = switchboard::sdk;
using namespace std::chrono_literals;

namespace {

constexpr const char* kAccount = "15550001";

bool waitFor(const std::function<bool()>& cond, std::chrono::milliseconds limit = 20s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) {
      return false;
    }
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

class RoutingPipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sbrouting-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    sb::ConfigValue::Map m{{"url", sb::ConfigValue::ofString("sqlite://" + (dir_ / "db.sqlite").string())},
                           {"key_file", sb::ConfigValue::ofString((dir_ / "key").string())}};
    auto store = openStore(sb::ConfigValue::ofMap(std::move(m)));
    ASSERT_TRUE(store.ok()) << store.error().describe();
    store_ = store.value();
    tenant_ = store_->tenant("default");
    PipelineSettings settings;
    settings.batchSize = 8;
    pipeline_ = std::make_unique<Pipeline>(io_, settings, store_, bus_, metrics_,
                                           RecordEncoder{[](const sb::InboundMessage& msg) { return inboundRecord(msg); },
                                                         [](const sb::Event& e) { return eventRecord(e); },
                                                         [](const sb::CommandResult& r) { return resultRecord(r); }});
    services_ = std::make_unique<HostServices>(HostServices{io_, metrics_, store_, bus_, *pipeline_, *pipeline_,
                                                            dir_.string()});
    manager_ = std::make_unique<PluginManager>(*services_, catalog_);
    pipeline_->attachPlugins(*manager_);
    pipeline_->start();
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
    events_ = bus_.subscribe("", [this](const sb::Event& e) {
      std::lock_guard lock(mutex_);
      seen_.push_back(e);
    });
  }

  void TearDown() override {
    if (manager_) {
      manager_->stopAll(5s);
    }
    if (pipeline_) {
      (void)pipeline_->drain(std::chrono::steady_clock::now() + 5s);
    }
    if (kafka_) {
      kafka_->stop(5s);
    }
    events_.reset();
    work_.reset();
    for (auto& t : threads_) {
      t.join();
    }
    manager_.reset();
    kafka_.reset();
    pipeline_.reset();
    tenant_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The Kafka bridge on the embedded broker, producing what the pipeline queues (JSON records).
  void startKafka() {
    kafka_ = std::make_unique<KafkaBridge>(switchboard::test::kafkaSection("json"), store_, *pipeline_, metrics_);
    auto s = kafka_->start();
    ASSERT_TRUE(s.ok()) << s.error().describe();
    pipeline_->onOutboxWritten([this] { kafka_->notifyOutbox(); });
  }

  // Validates the YAML against the schema the plugin library itself declares, as the daemon
  // does, then starts the routing plugin and the loopback connector.
  void startPlugins(const std::string& routingYaml) {
    auto lib = catalog_.resolve("routing");
    ASSERT_TRUE(lib.ok()) << lib.error().describe();
    ValidationContext ctx{"test.yaml", [](const std::string&) { return std::optional<std::string>(); }, {}};
    PluginSpec routing;
    routing.name = "routing";
    routing.library = "routing";
    routing.config = validateSection(YAML::Load(routingYaml), lib.value()->factory().configSchema(),
                                     "plugins.routing.config", ctx);
    ASSERT_TRUE(ctx.errors.empty()) << describe(ctx.errors);
    PluginSpec loopback;
    loopback.name = "loopback";
    loopback.library = "loopback";
    sb::ConfigValue::Map m{{"account", sb::ConfigValue::ofString(kAccount)},
                           {"tenant", sb::ConfigValue::ofString("default")},
                           {"rate", sb::ConfigValue::ofInt(0)},
                           {"tick", sb::ConfigValue::ofInt(1000)},
                           {"text", sb::ConfigValue::ofString("")},
                           {"lifecycle_file", sb::ConfigValue::ofString("")},
                           {"acked_file", sb::ConfigValue::ofString("")},
                           {"sent_file", sb::ConfigValue::ofString(sentFile())},
                           {"marker", sb::ConfigValue::ofString("")}};
    loopback.config = sb::ConfigValue::ofMap(std::move(m));
    auto report = manager_->apply({loopback, routing}, 10s);
    ASSERT_TRUE(report.failed.empty()) << "a plugin failed to start";
    ASSERT_EQ(report.started.size(), 2u);
  }

  void addAgent(const std::string& id, std::vector<std::string> skills, int capacity,
                sb::AgentStatus status = sb::AgentStatus::Available) {
    sb::Agent a;
    a.id = id;
    a.skills = std::move(skills);
    a.capacity = capacity;
    a.status = status;
    ASSERT_TRUE(tenant_->upsertAgent(a).ok());
  }

  // A customer writes; waits until it is stored. Returns the message id.
  void customerSays(const std::string& phone, const std::string& text) {
    sb::InboundMessage m;
    m.account = kAccount;
    m.networkId = "net-" + std::to_string(++seq_);
    m.chat = phone + "@s.whatsapp.net";
    m.sender = m.chat;
    // Recent: the learned strategy reads the last `history_days` only.
    m.timestamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count() - 100'000 + seq_;
    m.text = text;
    std::atomic<bool> stored{false};
    ASSERT_TRUE(pipeline_->deliver(m, [&](sb::Status s) { stored = s.ok(); }).ok());
    ASSERT_TRUE(waitFor([&] { return stored.load(); }));
  }

  std::vector<sb::Event> events(const std::string& type) {
    std::lock_guard lock(mutex_);
    std::vector<sb::Event> out;
    for (const auto& e : seen_) {
      if (e.type == type) {
        out.push_back(e);
      }
    }
    return out;
  }

  std::string assigneeOf(const std::string& phone) {
    auto conv = tenant_->listConversations({});
    for (const auto& c : conv.value()) {
      if (c.peer.rfind(phone, 0) == 0) {
        return c.assignee;
      }
    }
    return "?";
  }

  // Outbox records of assignment events: conversation -> sb-assignee.
  std::map<std::string, std::string> assignmentRecords() {
    std::map<std::string, std::string> out;
    auto records = store_->pendingOutbox(0, 10000);
    EXPECT_TRUE(records.ok());
    for (const auto& r : records.value()) {
      if (r.topic == "events" && !r.assignee.empty()) {
        out[r.conversation] = r.assignee;
      }
    }
    return out;
  }

  std::string sentFile() const { return (dir_ / "sent.tsv").string(); }
  std::string sentText() const {
    std::ifstream in(sentFile());
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::filesystem::path dir_;
  std::shared_ptr<Store> store_;
  std::shared_ptr<sb::TenantStorage> tenant_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  MetricsRegistry metrics_;
  LocalEventBus bus_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<HostServices> services_;
  PluginCatalog catalog_{SB_PLUGIN_BUILD_DIR};
  std::unique_ptr<PluginManager> manager_;
  std::unique_ptr<KafkaBridge> kafka_;
  std::unique_ptr<sb::EventBus::Subscription> events_;
  std::mutex mutex_;
  std::vector<sb::Event> seen_;
  int seq_ = 0;
};

}  // namespace

TEST_F(RoutingPipeline, SkillsThenLeastBusyAssignsEveryConversationWithItsEvent) {
  addAgent("bill1", {"billing"}, 2);
  addAgent("bill2", {"billing"}, 2);
  addAgent("tech1", {"tech"}, 5);
  startPlugins(R"(
skills: [{name: billing, keywords: [invoice]}, {name: tech, keywords: [crash, crashes]}]
default: {chain: [{strategy: skills}, {strategy: least_busy}]}
)");
  const std::vector<std::pair<std::string, std::string>> customers{
      {"15551110001", "Where is my invoice?"}, {"15551110002", "the app crashes"},
      {"15551110003", "invoice please"},       {"15551110004", "second invoice question"},
      {"15551110005", "crash again"}};
  for (std::size_t i = 0; i < customers.size(); ++i) {
    customerSays(customers[i].first, customers[i].second);
    ASSERT_TRUE(waitFor([&] { return events("conversation.assigned").size() == i + 1; })) << "customer " << i;
  }
  EXPECT_EQ(assigneeOf("15551110001"), "bill1");
  EXPECT_EQ(assigneeOf("15551110002"), "tech1");
  EXPECT_EQ(assigneeOf("15551110003"), "bill2");
  EXPECT_EQ(assigneeOf("15551110004"), "bill1");
  EXPECT_EQ(assigneeOf("15551110005"), "tech1");
  // A second message of an assigned conversation is not routed again.
  customerSays("15551110001", "any news on my invoice?");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(events("conversation.assigned").size(), customers.size());

  for (const auto& e : events("conversation.assigned")) {
    EXPECT_EQ(e.attributes.at("strategy"), "least_busy");
    EXPECT_EQ(e.attributes.at("router"), "routing");
    EXPECT_NE(e.attributes.at("reason").find("skills:"), std::string::npos);
  }
  ASSERT_TRUE(waitFor([&] { return assignmentRecords().size() == customers.size(); }));
  const auto records = assignmentRecords();
  for (const auto& [conversation, assignee] : records) {
    EXPECT_EQ(tenant_->getConversation(conversation).value()->assignee, assignee);
  }
  EXPECT_EQ(metrics_.value("routing_decisions_total", {{"plugin", "routing"}, {"strategy", "least_busy"}}), 5);
}

// What an enterprise sees: the customers' messages on `inbound` and the assignments on `events`,
// read back from the broker; from those records alone every conversation is assigned once, as the
// chain (skills, then least busy) dictates.
TEST_F(RoutingPipeline, EveryConversationIsAssignedAsTheChainDictatesJudgedFromTheKafkaRecordsAlone) {
  addAgent("bill1", {"billing"}, 10);
  addAgent("bill2", {"billing"}, 10);
  addAgent("tech1", {"tech"}, 10);
  startKafka();
  startPlugins(R"(
skills: [{name: billing, keywords: [invoice]}, {name: tech, keywords: [crash, crashes]}]
default: {chain: [{strategy: skills}, {strategy: least_busy}]}
)");
  constexpr int kCustomers = 12;
  for (int i = 0; i < kCustomers; ++i) {
    customerSays("1555222" + std::to_string(1000 + i), i % 3 == 2 ? "the app crashes on start" : "my invoice is wrong");
  }
  const std::string bootstrap = kafka_->bootstrapServers();
  auto inbound = switchboard::test::readTopic(bootstrap, "switchboard.inbound", kCustomers, 30s);
  ASSERT_EQ(inbound.size(), static_cast<std::size_t>(kCustomers));
  auto assigned = switchboard::test::readTopic(
      bootstrap, "switchboard.events", kCustomers, 30s, [](const switchboard::test::Record& r) {
        return r.value.find("conversation.assigned") != std::string::npos;
      });
  ASSERT_EQ(assigned.size(), static_cast<std::size_t>(kCustomers));

  std::map<std::string, bool> wantsBilling;  // conversation -> its customer asked about an invoice
  for (const auto& r : inbound) {
    ASSERT_TRUE(r.headers.count("sb-conversation")) << r.value;
    wantsBilling[r.headers.at("sb-conversation")] = r.value.find("invoice") != std::string::npos;
  }
  std::map<std::string, std::string> assigneeOfConversation;
  std::map<std::string, int> load;
  for (const auto& r : assigned) {
    ASSERT_TRUE(r.headers.count("sb-conversation") && r.headers.count("sb-assignee")) << r.value;
    const auto& conversation = r.headers.at("sb-conversation");
    EXPECT_TRUE(assigneeOfConversation.emplace(conversation, r.headers.at("sb-assignee")).second)
        << conversation << " assigned twice";
    ++load[r.headers.at("sb-assignee")];
  }
  ASSERT_EQ(assigneeOfConversation.size(), wantsBilling.size());
  for (const auto& [conversation, billing] : wantsBilling) {
    ASSERT_TRUE(assigneeOfConversation.count(conversation)) << conversation << " has no assignment record";
    const auto& agent = assigneeOfConversation.at(conversation);
    if (billing) {
      EXPECT_TRUE(agent == "bill1" || agent == "bill2") << conversation << " went to " << agent;
    } else {
      EXPECT_EQ(agent, "tech1") << conversation;
    }
  }
  // Least busy between the two billing agents: eight invoice questions split evenly.
  EXPECT_EQ(load["bill1"], 4);
  EXPECT_EQ(load["bill2"], 4);
  EXPECT_EQ(load["tech1"], 4);
}

TEST_F(RoutingPipeline, NobodyAvailableQueuesTellsTheCustomerAndAStatusCommandDrainsTheQueue) {
  addAgent("solo", {}, 5, sb::AgentStatus::Offline);
  startPlugins(R"(
drain_every: 1h
default:
  chain: [{strategy: round_robin}]
  overflow: {message: "All agents are busy; you are number {position}"}
)");
  customerSays("15552220001", "hello?");
  customerSays("15552220002", "anyone there?");
  ASSERT_TRUE(waitFor([&] { return events("conversation.queued").size() == 2; }));
  const auto queued = events("conversation.queued");
  EXPECT_EQ(queued[0].attributes.at("position"), "1");
  EXPECT_EQ(queued[1].attributes.at("position"), "2");
  EXPECT_NE(queued[0].attributes.at("reason").find("1 not available"), std::string::npos);
  ASSERT_TRUE(waitFor([&] { return sentText().find("you are number 2") != std::string::npos; })) << sentText();
  EXPECT_NE(sentText().find("All agents are busy; you are number 1"), std::string::npos);
  EXPECT_EQ(metrics_.value("routing_queue_depth", {{"plugin", "routing"}}), 2);

  // The agent comes online through a command, as it would arrive from Kafka `outbound`.
  sb::OutboundCommand online;
  online.commandId = "status-1";
  online.kind = sb::CommandKind::SetAgentStatus;
  online.agent = "solo";
  online.agentStatus = "available";
  auto accepted = pipeline_->submit(online);
  ASSERT_TRUE(accepted.ok()) << accepted.error().describe();
  ASSERT_TRUE(waitFor([&] { return events("conversation.assigned").size() == 2; }));
  EXPECT_EQ(assigneeOf("15552220001"), "solo");
  EXPECT_EQ(assigneeOf("15552220002"), "solo");
  for (const auto& e : events("conversation.assigned")) {
    EXPECT_EQ(e.attributes.at("agent"), "solo");
    EXPECT_EQ(e.subject, e.conversation);
  }
  // The event records are queued for Kafka just after the bus has seen the events.
  EXPECT_TRUE(waitFor([&] { return assignmentRecords().size() == 2; }))
      << "the drained assignments reach the Kafka outbox with their assignee";
  EXPECT_TRUE(waitFor([&] { return metrics_.value("routing_queue_depth", {{"plugin", "routing"}}) == 0; }));
}

TEST_F(RoutingPipeline, ManualWaitsForAnOperatorsAssignCommand) {
  addAgent("op1", {}, 5);
  startPlugins("drain_every: 200ms\ndefault: {chain: [{strategy: manual}]}\n");
  customerSays("15553330001", "hi");
  ASSERT_TRUE(waitFor([&] { return events("conversation.queued").size() == 1; }));
  const auto queued = events("conversation.queued")[0];
  EXPECT_EQ(queued.attributes.at("manual"), "true");
  EXPECT_EQ(queued.attributes.at("suggestions"), "op1");
  std::this_thread::sleep_for(600ms);  // several drain ticks: a manual conversation is not offered
  EXPECT_EQ(assigneeOf("15553330001"), "");

  sb::OutboundCommand assign;
  assign.commandId = "assign-1";
  assign.kind = sb::CommandKind::Assign;
  assign.conversation = queued.conversation;
  assign.agent = "op1";
  ASSERT_TRUE(pipeline_->submit(assign).ok());
  ASSERT_TRUE(waitFor([&] { return assigneeOf("15553330001") == "op1"; }));
  EXPECT_TRUE(waitFor([&] { return metrics_.value("routing_queue_depth", {{"plugin", "routing"}}) == 0; }));
  EXPECT_TRUE(waitFor([&] { return assignmentRecords().count(queued.conversation) == 1; }));
  EXPECT_EQ(assignmentRecords()[queued.conversation], "op1");
}

TEST_F(RoutingPipeline, LearnedStrategyTrainsFromTheDatabaseAndReportsItsAccuracy) {
  addAgent("payments", {}, 100);
  addAgent("logins", {}, 100);
  addAgent("shipping", {}, 100);
  // History: 90 resolved conversations, each opened by a customer and closed by its agent.
  const std::vector<std::pair<std::string, std::vector<std::string>>> topics{
      {"payments", {"refund", "invoice", "charged", "card"}},
      {"logins", {"password", "login", "locked", "reset"}},
      {"shipping", {"package", "delivery", "tracking", "courier"}}};
  for (int i = 0; i < 90; ++i) {
    const auto& [agentId, words] = topics[static_cast<std::size_t>(i % 3)];
    const auto phone = "1555444" + std::to_string(1000 + i);
    customerSays(phone, "hello my " + words[static_cast<std::size_t>(i % 4)] + " and " +
                            words[static_cast<std::size_t>((i / 3) % 4)] + " problem");
    auto convs = tenant_->listConversations({});
    for (const auto& c : convs.value()) {
      if (c.peer.rfind(phone, 0) == 0) {
        ASSERT_TRUE(tenant_->assignConversation(c.id, agentId).ok());
        ASSERT_TRUE(tenant_->setConversationStatus(c.id, sb::ConversationStatus::Closed).ok());
      }
    }
  }
  startPlugins(R"(
learning: {enabled: true, min_examples: 30, holdout: 0.3}
default: {chain: [{strategy: learned}]}
)");
  const sb::Labels labels{{"plugin", "routing"}, {"tenant", "default"}};
  ASSERT_TRUE(waitFor([&] { return metrics_.value("routing_learned_examples", labels) == 90; }));
  EXPECT_GT(metrics_.value("routing_learned_accuracy", labels), 0.8);
  EXPECT_EQ(metrics_.value("routing_learned_trainings_total", labels), 1);

  customerSays("15554449001", "my card was charged twice, refund please");
  customerSays("15554449002", "I am locked out, reset my password");
  customerSays("15554449003", "where is my package? tracking says nothing");
  ASSERT_TRUE(waitFor([&] { return events("conversation.assigned").size() == 3; }));
  EXPECT_EQ(assigneeOf("15554449001"), "payments");
  EXPECT_EQ(assigneeOf("15554449002"), "logins");
  EXPECT_EQ(assigneeOf("15554449003"), "shipping");
}
