#include "plugin_fixture.hpp"

#include <unistd.h>

#include "storage/storage_config.hpp"

namespace switchboard::autoresponder::test {

sdk::Result<sdk::CommandResult> RecordingOutbound::submit(const sdk::OutboundCommand& command) {
  submitted.push_back(command);
  if (failRetriably > 0) {
    --failRetriably;
    return sdk::Error::retriable("storage.busy", "the database is busy (test)");
  }
  auto s = store->storeCommand(command, "");
  if (!s.ok()) {
    return s.takeError();
  }
  if (s->inserted) {
    stored.push_back(command);
  }
  sdk::CommandResult r;
  r.commandId = command.commandId;
  r.tenant = command.tenant;
  r.account = command.account;
  r.stage = sdk::ResultStage::Accepted;
  return r;
}

void PluginFixture::SetUp() {
  dir_ = std::filesystem::temp_directory_path() /
         ("sbar-" + std::to_string(getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
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

void PluginFixture::TearDown() {
  stopPlugin();
  io_.stop();  // the never-started sink then has nothing to wait for
  sink_.reset();
  services_.reset();
  store_.reset();
  outbound_.store.reset();
  std::filesystem::remove_all(dir_);
}

sdk::Status PluginFixture::startPlugin(const std::string& yaml, const std::string& instance) {
  stopPlugin();
  instance_ = instance;
  context_ = std::make_unique<host::PluginContextImpl>(*services_, instance, configFromYaml(yaml), nullptr);
  plugin_ = std::make_unique<AutoResponderPlugin>(*context_, [this] { return now_; });
  auto s = plugin_->start();
  if (!s.ok()) {
    plugin_.reset();
    context_.reset();
  }
  return s;
}

void PluginFixture::stopPlugin() {
  if (plugin_) {
    plugin_->stop();
    poll();
    plugin_.reset();
  }
  context_.reset();
}

sdk::InboundMessage PluginFixture::message(const std::string& text, const std::string& peer,
                                           const std::string& account) {
  sdk::InboundMessage m;
  m.account = account;
  m.networkId = "NET" + std::to_string(++next_);
  m.chat = peer + "@s.whatsapp.net";
  m.sender = m.chat;
  m.senderName = "Dana Scully";
  m.timestamp = now_;
  m.text = text;
  return m;
}

sdk::Status PluginFixture::receive(sdk::InboundMessage m) {
  std::vector<host::InboundWrite> batch(1);
  batch[0].message = m;
  auto stored = store_->storeInbound(batch);
  EXPECT_TRUE(stored.ok()) << stored.error().describe();
  if (!stored.ok()) {
    return stored.takeError();
  }
  m.id = stored.value()[0].id;
  m.conversation = stored.value()[0].conversation;
  received_[m.networkId] = m;
  auto conversation = storage()->getConversation(m.conversation);
  EXPECT_TRUE(conversation.ok() && conversation.value());
  auto s = plugin_->onInbound(m, *conversation.value());
  poll();
  return s;
}

sdk::Conversation PluginFixture::conversationOf(const sdk::InboundMessage& m) {
  auto c = storage()->getConversation(received_.at(m.networkId).conversation);
  EXPECT_TRUE(c.ok() && c.value());
  return *c.value();
}

void PluginFixture::publish(const sdk::Event& e) {
  bus_.publish(e);
  poll();
}

void PluginFixture::poll() {
  io_.restart();
  io_.poll();
}

double PluginFixture::metric(const std::string& name, sdk::Labels labels) {
  labels["plugin"] = instance_;
  return metrics_.value(name, labels);
}

}  // namespace switchboard::autoresponder::test
