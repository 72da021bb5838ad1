#include "crm_fixture.hpp"

#include <unistd.h>

#include <fstream>

#include <yaml-cpp/yaml.h>

#include "config/schema_validator.hpp"
#include "http/client.hpp"
#include "storage/storage_config.hpp"

namespace switchboard::crm::test {

sdk::ConfigValue configFromYaml(const std::string& yaml, std::vector<std::string>* errors) {
  host::ValidationContext ctx;
  ctx.file = "test.yaml";
  ctx.env = [](const std::string&) { return std::nullopt; };
  auto value = host::validateSection(YAML::Load(yaml), configSchema(), "", ctx);
  for (const auto& e : ctx.errors) {
    if (errors != nullptr) {
      errors->push_back(e.key + ": " + e.message);
    } else {
      ADD_FAILURE() << "configuration refused by the validator: " << e.describe();
    }
  }
  return value;
}

void CrmFixture::SetUp() {
  dir_ = std::filesystem::temp_directory_path() /
         ("sbcrm-" + std::to_string(getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  auto store = host::openStore(sdk::ConfigValue::ofMap({
      {"url", sdk::ConfigValue::ofString("sqlite://" + (dir_ / "db.sqlite").string())},
      {"sqlite_synchronous", sdk::ConfigValue::ofString("normal")},
  }));
  ASSERT_TRUE(store.ok()) << store.error().describe();
  store_ = store.value();
  sink_ = std::make_unique<host::Pipeline>(io_, host::PipelineSettings{}, store_, bus_, metrics_, host::RecordEncoder{});
  services_ = std::make_unique<host::HostServices>(
      host::HostServices{io_, metrics_, store_, bus_, outbound_, *sink_, dir_.string()});
  work_ = std::make_unique<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
      io_.get_executor());
  for (int i = 0; i < 2; ++i) {
    threads_.emplace_back([this] { io_.run(); });
  }
  crm_ = std::make_unique<FakeCrm>(io_);
  caFile_ = (dir_ / "ca.pem").string();
  std::ofstream(caFile_) << crm_->caPem();

  auto router = std::make_shared<http::Router>();
  host::mountPluginRoutes(*router, services_->httpRoutes);
  auto admin = http::Server::start(io_.get_executor(), http::ServerOptions{}, router);
  ASSERT_TRUE(admin.ok()) << admin.error().describe();
  admin_ = admin.value();
}

void CrmFixture::TearDown() {
  stopPlugin();
  if (admin_) {
    admin_->stop();
  }
  if (crm_) {
    crm_->stop();
  }
  work_.reset();
  // Let the servers' connections finish, then stop whatever is left (a client still connecting).
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  io_.stop();
  for (auto& t : threads_) {
    t.join();
  }
  threads_.clear();
  crm_.reset();
  admin_.reset();
  sink_.reset();
  services_.reset();
  store_.reset();
  std::filesystem::remove_all(dir_);
}

std::string CrmFixture::yaml(const std::string& extra, int maxAttempts) const {
  return "base_url: " + crm_->baseUrl() +
         "\n"
         "tls:\n"
         "  ca_file: " +
         caFile_ +
         "\n"
         "timeout: 3s\n"
         "retry:\n"
         "  max_attempts: " + std::to_string(maxAttempts) + "\n"
         "  initial_backoff: 50ms\n"
         "  max_backoff: 200ms\n" +
         extra;
}

sdk::Status CrmFixture::startPlugin(const std::string& text) {
  stopPlugin();
  context_ = std::make_unique<host::PluginContextImpl>(*services_, "crm", configFromYaml(text), nullptr);
  plugin_ = std::make_unique<CrmPlugin>(*context_);
  auto s = onStrand([&] { return plugin_->start(); });
  if (!s.ok()) {
    plugin_.reset();
    context_.reset();
    return s;
  }
  // What the pipeline does for Sync plugins: every bus event, on the plugin's strand.
  syncFeed_ = bus_.subscribe("", [this](const sdk::Event& e) {
    boost::asio::post(context_->executor(), [this, e] {
      if (plugin_) {
        (void)plugin_->onEvent(e);
      }
    });
  });
  return s;
}

void CrmFixture::stopPlugin() {
  syncFeed_.reset();
  if (plugin_) {
    onStrand([&] {
      plugin_->stop();
      plugin_.reset();  // destroyed on its strand, so no handler of it runs concurrently
      return 0;
    });
  }
  context_.reset();
}

sdk::Contact CrmFixture::addContact(const std::string& phone, const std::string& name,
                                    std::map<std::string, std::string> fields) {
  sdk::Contact c;
  c.phone = phone;
  c.name = name;
  c.language = "en";
  c.tags = {"lead"};
  c.fields = std::move(fields);
  auto stored = storage()->upsertContact(c);
  EXPECT_TRUE(stored.ok()) << stored.error().describe();
  return stored.value();
}

sdk::Event CrmFixture::contactEvent(const std::string& type, const sdk::Contact& c) const {
  sdk::Event e;
  e.type = type;
  e.subject = c.id;
  e.timestamp = c.updatedAt;
  e.attributes = {{"phone", c.phone}, {"name", c.name}};
  return e;
}

sdk::ConversationId CrmFixture::addConversation(const sdk::Contact& contact) {
  std::vector<host::InboundWrite> batch(1);
  auto& m = batch[0].message;
  m.account = "15559990000";
  m.networkId = "NET-" + contact.phone;
  m.chat = contact.phone + "@s.whatsapp.net";
  m.sender = m.chat;
  m.senderName = contact.name;
  m.timestamp = contact.updatedAt;
  m.text = "Where is my order?";
  auto stored = store_->storeInbound(batch);
  EXPECT_TRUE(stored.ok()) << stored.error().describe();
  return stored.value()[0].conversation;
}

bool CrmFixture::eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

std::size_t CrmFixture::pendingItems() {
  return onStrand([&] {
    auto items = plugin_->outbox()->pending(10000);
    EXPECT_TRUE(items.ok());
    return items.ok() ? items->size() : std::size_t(0);
  });
}

std::vector<DeadLetter> CrmFixture::deadLetters() {
  return onStrand([&] {
    auto items = plugin_->outbox()->deadLetters(10000);
    EXPECT_TRUE(items.ok());
    return items.ok() ? items.value() : std::vector<DeadLetter>{};
  });
}

http::ClientResponse CrmFixture::postWebhook(const std::string& body,
                                             const std::map<std::string, std::string>& headers) {
  http::ClientRequest req;
  req.method = "POST";
  req.url = admin_->baseUrl() + "/v1/hooks/crm/webhook";
  for (const auto& [k, v] : headers) {
    req.headers[k] = v;
  }
  req.headers["Content-Type"] = "application/json";
  req.body = body;
  auto r = http::fetch(http::ClientOptions{}, req);
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return r.ok() ? r.value() : http::ClientResponse{};
}

double CrmFixture::metric(const std::string& name, const sdk::Labels& labels) {
  return metrics_.value(name, labels);
}

}  // namespace switchboard::crm::test
