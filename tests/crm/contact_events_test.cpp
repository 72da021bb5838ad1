// The contact events the CRM sync consumes are published by the product: the admin API's contact
// writes (create, update, tags, note) and the pipeline when a message brings a new contact. Each
// goes on the event bus and, through the pipeline's encoder, to Kafka `events` (the Kafka
// bridge's own record encoder, JSON format, checked here).

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "admin/admin_api.hpp"
#include "http/client.hpp"
#include "kafka/envelope.hpp"
#include "pipeline/event_bus.hpp"
#include "pipeline/pipeline.hpp"
#include "storage/storage_config.hpp"

namespace switchboard::crm::test {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;

class ContactEvents : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sbcontactev-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = host::openStore(sdk::ConfigValue::ofMap({
        {"url", sdk::ConfigValue::ofString("sqlite://" + (dir_ / "db.sqlite").string())},
    }));
    ASSERT_TRUE(store.ok()) << store.error().describe();
    store_ = store.value();
    for (int i = 0; i < 2; ++i) {
      threads_.emplace_back([this] { io_.run(); });
    }
    // The Kafka bridge's encoder, recording what would be produced to `events`.
    host::RecordEncoder encoder;
    encoder.event = [this](const sdk::Event& e) {
      auto record = host::eventRecord(e, host::Format::Json);
      std::lock_guard lock(mutex_);
      kafka_.push_back(record);
      return record;
    };
    host::PipelineSettings ps;
    ps.batchLinger = 1ms;
    pipeline_ = std::make_unique<host::Pipeline>(io_, ps, store_, bus_, metrics_, encoder);
    pipeline_->start();
    tap_ = bus_.subscribe("contact.", [this](const sdk::Event& e) {
      std::lock_guard lock(mutex_);
      bus_seen_.push_back(e);
    });

    admin::AdminSettings settings;
    settings.enabled = true;
    settings.port = 0;
    settings.rateLimit = 0;
    settings.tokenRateLimit = 0;
    admin::AdminServices services;
    services.store = store_;
    services.outbound = pipeline_.get();
    services.events = &bus_;
    services.metrics = &metrics_;
    services.announcer = pipeline_.get();
    api_ = std::make_unique<admin::AdminApi>(settings, services);
    auto started = api_->start(io_.get_executor());
    ASSERT_TRUE(started.ok()) << started.error().describe();
    auto token = api_->createToken("ops", "operator", "");
    ASSERT_TRUE(token.ok()) << token.error().describe();
    token_ = token.value();
  }

  void TearDown() override {
    if (api_) {
      api_->stop();
    }
    if (pipeline_) {
      pipeline_->drain(std::chrono::steady_clock::now() + 5s);
    }
    tap_.reset();
    api_.reset();
    work_.reset();
    for (auto& t : threads_) {
      t.join();
    }
    pipeline_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  http::ClientResponse call(const std::string& method, const std::string& path, const json& body) {
    http::ClientRequest req;
    req.method = method;
    req.url = api_->baseUrl() + path;
    req.headers["Authorization"] = "Bearer " + token_;
    req.headers["Content-Type"] = "application/json";
    req.body = body.dump();
    auto r = http::fetch(http::ClientOptions{}, req);
    EXPECT_TRUE(r.ok()) << r.error().describe();
    return r.ok() ? r.value() : http::ClientResponse{};
  }

  /// The bus events of `type` so far, waiting up to 5 s for at least `n`.
  std::vector<sdk::Event> seen(const std::string& type, std::size_t n = 1) {
    std::vector<sdk::Event> out;
    const auto until = std::chrono::steady_clock::now() + 5s;
    do {
      out.clear();
      {
        std::lock_guard lock(mutex_);
        for (const auto& e : bus_seen_) {
          if (e.type == type) {
            out.push_back(e);
          }
        }
      }
      if (out.size() >= n) {
        break;
      }
      std::this_thread::sleep_for(10ms);
    } while (std::chrono::steady_clock::now() < until);
    return out;
  }
  /// The Kafka `events` records whose payload names `type`.
  std::vector<json> kafkaEvents(const std::string& type) {
    std::vector<json> out;
    std::lock_guard lock(mutex_);
    for (const auto& r : kafka_) {
      auto j = json::parse(r.payload, nullptr, false);
      if (r.topic == "events" && !j.is_discarded() && j.dump().find("\"" + type + "\"") != std::string::npos) {
        out.push_back(j);
      }
    }
    return out;
  }

  std::filesystem::path dir_;
  std::shared_ptr<host::Store> store_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> threads_;
  host::MetricsRegistry metrics_;
  host::LocalEventBus bus_;
  std::unique_ptr<host::Pipeline> pipeline_;
  std::unique_ptr<sdk::EventBus::Subscription> tap_;
  std::unique_ptr<admin::AdminApi> api_;
  std::string token_;
  std::mutex mutex_;
  std::vector<sdk::Event> bus_seen_;
  std::vector<host::OutboxRecord> kafka_;
};

TEST_F(ContactEvents, AdminContactWritesAreAnnounced) {
  auto created = call("POST", "/v1/contacts", {{"phone", "15556660001"}, {"name", "Ada"}, {"tags", {"lead"}}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = json::parse(created.body)["id"].get<std::string>();
  auto c = seen("contact.created");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].subject, id);
  EXPECT_EQ(c[0].attributes.at("phone"), "15556660001");
  EXPECT_EQ(c[0].attributes.at("origin"), "admin");

  auto updated = call("PUT", "/v1/contacts/" + id, {{"name", "Ada King"}});
  ASSERT_EQ(updated.status, 200u) << updated.body;
  auto u = seen("contact.updated");
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].subject, id);
  EXPECT_EQ(u[0].attributes.at("changed"), "name");
  EXPECT_EQ(u[0].attributes.at("name"), "Ada King");
  EXPECT_TRUE(seen("contact.tags", 0).empty());  // tags did not change

  ASSERT_EQ(call("PUT", "/v1/contacts/" + id, {{"tags", {"lead", "vip"}}}).status, 200u);
  auto t = seen("contact.tags");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].attributes.at("tags"), "lead,vip");
  EXPECT_EQ(seen("contact.updated", 2).back().attributes.at("changed"), "tags");

  // A write that changes nothing announces nothing.
  ASSERT_EQ(call("PUT", "/v1/contacts/" + id, {{"name", "Ada King"}}).status, 200u);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(seen("contact.updated", 0).size(), 2u);

  ASSERT_EQ(call("POST", "/v1/contacts/" + id + "/notes", {{"text", "Prefers email"}}).status, 201u);
  auto n = seen("contact.note");
  ASSERT_EQ(n.size(), 1u);
  EXPECT_EQ(n[0].subject, id);
  EXPECT_EQ(n[0].attributes.at("note"), "Prefers email");
  EXPECT_EQ(n[0].attributes.at("author"), "ops");

  // The same events reach Kafka `events` through the pipeline.
  for (const char* type : {"contact.created", "contact.updated", "contact.tags", "contact.note"}) {
    auto records = kafkaEvents(type);
    ASSERT_FALSE(records.empty()) << type << " not produced to Kafka events";
    EXPECT_NE(records[0].dump().find(id), std::string::npos) << records[0].dump();
  }
}

TEST_F(ContactEvents, PipelineAnnouncesANewContactOnce) {
  auto deliver = [&](const std::string& networkId) {
    sdk::InboundMessage m;
    m.account = "15550009999";
    m.networkId = networkId;
    m.chat = "15556660002@s.whatsapp.net";
    m.sender = m.chat;
    m.senderName = "Grace";
    m.timestamp = 1'700'000'000'000;
    m.text = "hello";
    std::promise<sdk::Status> done;
    ASSERT_TRUE(pipeline_->deliver(m, [&done](sdk::Status s) { done.set_value(s); }).ok());
    auto s = done.get_future().get();
    ASSERT_TRUE(s.ok()) << s.error().describe();
  };
  deliver("M1");
  auto c = seen("contact.created");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].attributes.at("phone"), "15556660002");
  EXPECT_EQ(c[0].attributes.at("name"), "Grace");
  EXPECT_EQ(c[0].attributes.at("origin"), "pipeline");
  auto stored = store_->tenant(sdk::kDefaultTenant)->getContact(c[0].subject);
  ASSERT_TRUE(stored.ok() && stored.value()) << "the announced contact is not stored";

  // A second message of the same contact (and a redelivery of the first) creates nothing.
  deliver("M2");
  deliver("M1");
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(seen("contact.created", 0).size(), 1u);
  EXPECT_FALSE(kafkaEvents("contact.created").empty());
}

}  // namespace
}  // namespace switchboard::crm::test
