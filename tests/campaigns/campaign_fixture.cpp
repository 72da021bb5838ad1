#include "campaign_fixture.hpp"

#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include "config/schema_validator.hpp"
#include "config_schema.hpp"
#include "storage/storage_config.hpp"

namespace switchboard::campaigns::test {

sdk::Result<sdk::CommandResult> RecordingOutbound::submit(const sdk::OutboundCommand& command) {
  auto s = store->storeCommand(command, "");
  if (!s.ok()) {
    return s.takeError();
  }
  submissions.push_back({command, std::chrono::steady_clock::now(), s->inserted});
  if (!s->inserted && s->previous) {
    return *s->previous;
  }
  sdk::CommandResult r;
  r.commandId = command.commandId;
  r.tenant = command.tenant;
  r.account = command.account;
  r.stage = sdk::ResultStage::Accepted;
  return r;
}

int RecordingOutbound::storedCount() const {
  int n = 0;
  for (const auto& s : submissions) {
    n += s.inserted ? 1 : 0;
  }
  return n;
}

void CampaignFixture::SetUp() {
  dir_ = std::filesystem::temp_directory_path() /
         ("sbcmp-" + std::to_string(getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  auto store = host::openStore(sdk::ConfigValue::ofMap({
      {"url", sdk::ConfigValue::ofString("sqlite://" + (dir_ / "db.sqlite").string())},
      {"sqlite_synchronous", sdk::ConfigValue::ofString("normal")},
  }));
  ASSERT_TRUE(store.ok()) << store.error().describe();
  store_ = store.value();
  outbound_.store = store_;
  sink_ = std::make_unique<host::Pipeline>(io_, host::PipelineSettings{}, store_, bus_, metrics_, host::RecordEncoder{});
  services_ = std::make_unique<host::HostServices>(
      host::HostServices{io_, metrics_, store_, bus_, outbound_, *sink_, dir_.string()});
}

void CampaignFixture::TearDown() {
  stopPlugin();
  io_.stop();
  sink_.reset();
  services_.reset();
  store_.reset();
  outbound_.store.reset();
  std::filesystem::remove_all(dir_);
}

sdk::Status CampaignFixture::startPlugin(const std::string& yaml) {
  stopPlugin();
  host::ValidationContext vctx;
  vctx.file = "test.yaml";
  vctx.env = [](const std::string&) { return std::nullopt; };
  auto config = host::validateSection(YAML::Load(yaml), configSchema(), "", vctx);
  for (const auto& e : vctx.errors) {
    ADD_FAILURE() << "configuration refused: " << e.describe();
  }
  context_ = std::make_unique<host::PluginContextImpl>(*services_, "campaigns", config, nullptr);
  plugin_ = std::make_unique<CampaignsPlugin>(*context_);
  auto s = plugin_->start();
  if (!s.ok()) {
    plugin_.reset();
    context_.reset();
  }
  return s;
}

void CampaignFixture::stopPlugin() {
  if (plugin_) {
    plugin_->stop();
    io_.restart();
    io_.poll();
    plugin_.reset();
  }
  context_.reset();
}

bool CampaignFixture::runUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < end) {
    io_.restart();
    io_.run_for(std::chrono::milliseconds(20));
  }
  return done();
}

void CampaignFixture::runFor(std::chrono::milliseconds d) {
  (void)runUntil([] { return false; }, d);
}

std::vector<sdk::Contact> CampaignFixture::addContacts(int n, const std::vector<std::string>& tags, bool optedIn,
                                                       int first) {
  std::vector<sdk::Contact> out;
  for (int i = first; i < first + n; ++i) {
    sdk::Contact c;
    c.phone = "1555200" + std::to_string(1000 + i);
    c.name = "Contact " + std::to_string(i);
    c.tags = tags;
    c.optedIn = optedIn;
    auto stored = storage()->upsertContact(c);
    EXPECT_TRUE(stored.ok()) << stored.error().describe();
    if (stored.ok()) {
      out.push_back(stored.value());
    }
  }
  return out;
}

sdk::Status CampaignFixture::receive(const std::string& phone, const std::string& text) {
  std::vector<host::InboundWrite> batch(1);
  auto& m = batch[0].message;
  m.account = "15559990001";
  m.networkId = "IN" + std::to_string(++nextNetworkId_);
  m.chat = phone + "@s.whatsapp.net";
  m.sender = m.chat;
  m.timestamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  m.text = text;
  auto stored = store_->storeInbound(batch);
  EXPECT_TRUE(stored.ok()) << stored.error().describe();
  if (!stored.ok()) {
    return stored.takeError();
  }
  m.id = stored.value()[0].id;
  m.conversation = stored.value()[0].conversation;
  auto conversation = storage()->getConversation(m.conversation);
  EXPECT_TRUE(conversation.ok() && conversation.value());
  auto s = plugin_->onInbound(m, *conversation.value());
  io_.restart();
  io_.poll();
  return s;
}

void CampaignFixture::result(const std::string& commandId, const char* stage, const std::string& networkId) {
  sdk::Event e;
  e.type = "command.result";
  e.subject = commandId;
  e.attributes = {{"stage", stage}, {"network_id", networkId}, {"reason", ""}};
  bus_.publish(e);
  io_.restart();
  io_.poll();
}

nlohmann::json CampaignFixture::call(sdk::Result<nlohmann::json> r) {
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return r.ok() ? r.value() : nlohmann::json();
}

std::map<std::string, sdk::OutboundCommand> CampaignFixture::storedCommands(const std::string& prefix) {
  std::map<std::string, sdk::OutboundCommand> out;
  for (const auto& s : outbound_.submissions) {
    if (s.inserted && s.command.commandId.rfind(prefix, 0) == 0) {
      EXPECT_EQ(out.count(s.command.commandId), 0u) << "stored twice: " << s.command.commandId;
      out[s.command.commandId] = s.command;
    }
  }
  return out;
}

std::string CampaignFixture::state(const std::string& campaign) {
  auto d = plugin_->describe(campaign);
  return d.ok() ? d.value()["state"].get<std::string>() : std::string("?");
}

}  // namespace switchboard::campaigns::test
