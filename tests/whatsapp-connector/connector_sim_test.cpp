// The connector (its session manager in the host's real plugin context) against the in-process
// simulator, with the real pipeline on SQLite: pairing by QR, restart and login from stored
// credentials, prekey upload, a text from one account to another stored and acknowledged through
// the pipeline, and a stop/start that keeps the Signal sessions.
//
// The connector is linked in rather than loaded from switchboard-whatsapp.so: the simulator and
// the plugin each carry the WhatsApp wire schema, and libprotobuf refuses a second registration
// of the same .proto files in one process. connector_plugin_test loads the library itself.

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <yaml-cpp/yaml.h>

#include "config/schema_validator.hpp"
#include "connector/session_manager.hpp"
#include "pipeline/pipeline.hpp"
#include "plugin/plugin_context.hpp"
#include "protocol/bytes.hpp"
#include "protocol/crypto.hpp"
#include "simulator/simulator.hpp"
#include "signal/keys.hpp"
#include "signal/protocol.hpp"
#include "signal/transaction.hpp"
#include "connector/signal_store_adapter.hpp"
#include "storage/storage_config.hpp"
#include "storage/tenancy.hpp"
#include "switchboard/sdk/quotas.hpp"

using namespace switchboard::host;
namespace sb = switchboard::sdk;
namespace wasim = switchboard::wasim;
namespace wa = switchboard::whatsapp;
namespace wc = switchboard::whatsapp::connector;
using namespace std::chrono_literals;

namespace {

constexpr const char* kAlice = "15551230001";
constexpr const char* kBob = "15551230002";
constexpr const char* kCarol = "15551230003";  // only a simulated phone, no companion

// Every bus event, for the assertions to wait on.
class EventLog {
 public:
  void add(const sb::Event& e) {
    std::lock_guard lock(mutex_);
    events_.push_back(e);
    cv_.notify_all();
  }
  /// The first event (after `from`) matching pred, waiting up to `limit`.
  std::optional<sb::Event> waitFor(const std::function<bool(const sb::Event&)>& pred,
                                   std::chrono::milliseconds limit = 20s) {
    std::unique_lock lock(mutex_);
    std::optional<sb::Event> found;
    cv_.wait_for(lock, limit, [&] {
      for (const auto& e : events_) {
        if (pred(e)) {
          found = e;
          return true;
        }
      }
      return false;
    });
    return found;
  }
  std::size_t count(const std::function<bool(const sb::Event&)>& pred) {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(), pred));
  }
  void clear() {
    std::lock_guard lock(mutex_);
    events_.clear();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<sb::Event> events_;
};

auto stateIs(const std::string& account, const std::string& state) {
  return [account, state](const sb::Event& e) {
    return e.type == "session.state" && e.account == account && e.attributes.count("state") &&
           e.attributes.at("state") == state;
  };
}
auto typeIs(const std::string& account, const std::string& type) {
  return [account, type](const sb::Event& e) { return e.type == type && e.account == account; };
}

long rssKb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtol(line.c_str() + 6, nullptr, 10);
    }
  }
  return 0;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Bytes that do not compress or repeat, so a wrong block or key cannot go unnoticed.
std::string noise(std::size_t n, std::uint32_t seed) {
  std::string out(n, '\0');
  for (auto& c : out) {
    seed = seed * 1664525u + 1013904223u;
    c = static_cast<char>(seed >> 24);
  }
  return out;
}

bool waitUntil(const std::function<bool()>& cond, std::chrono::milliseconds limit = 20s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) {
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

class ConnectorOnSimulator : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sbwaconn-" + std::to_string(getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    sb::ConfigValue::Map m;
    m["url"] = sb::ConfigValue::ofString("sqlite://" + (dir_ / "db.sqlite").string());
    auto store = openStore(sb::ConfigValue::ofMap(std::move(m)));
    ASSERT_TRUE(store.ok()) << store.error().describe();
    store_ = store.value();

    simThread_ = std::thread([this] { simIo_.run(); });
    wasim::SimulatorOptions options;
    options.firstFrameDelay = 20ms;
    auto sim = wasim::Simulator::start(simIo_.get_executor(), options);
    ASSERT_TRUE(sim.ok()) << sim.error().describe();
    sim_ = std::move(sim).value();
    ASSERT_TRUE(sim_->createAccount(kAlice, "Alice").ok());
    ASSERT_TRUE(sim_->createAccount(kBob, "Bob").ok());
    ASSERT_TRUE(sim_->createAccount(kCarol, "Carol").ok());

    PipelineSettings settings;
    settings.batchLinger = 1ms;
    // The Kafka record of each stored message is where the test sees the whole InboundMessage
    // (media references included).
    RecordEncoder encoder;
    encoder.inbound = [this](const sb::InboundMessage& msg) {
      {
        std::lock_guard lock(inboundMutex_);
        inbound_.push_back(msg);
      }
      OutboxRecord r;
      r.topic = "inbound";
      r.key = msg.conversation;
      r.ceId = msg.id;
      r.tenant = msg.tenant;
      r.account = msg.account;
      r.conversation = msg.conversation;
      return r;
    };
    pipeline_ = std::make_unique<Pipeline>(io_, settings, store_, bus_, metrics_, std::move(encoder));
    services_ = std::make_unique<HostServices>(
        HostServices{io_, metrics_, store_, bus_, *pipeline_, *pipeline_, (dir_ / "state").string()});
    pipeline_->start();
    subscription_ = bus_.subscribe("", [this](const sb::Event& e) { events_.add(e); });
    for (int i = 0; i < 2; ++i) {
      hostThreads_.emplace_back([this] { io_.run(); });
    }
  }

  void TearDown() override {
    stopConnector();
    subscription_.reset();
    if (pipeline_) {
      pipeline_->drain(std::chrono::steady_clock::now() + 5s);
    }
    work_.reset();
    for (auto& t : hostThreads_) {
      t.join();
    }
    pipeline_.reset();
    if (sim_) {
      sim_->stop();
    }
    // The simulator keeps timers (QR ref windows of minutes) that need not run out.
    simWork_.reset();
    simIo_.stop();
    simThread_.join();
    sim_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::string configYaml(const std::vector<std::string>& accounts) const {
    std::string y = "server_url: " + sim_->webSocketUrl() + "\n";
    y += "trusted_root_key: " + wa::toHex(sim_->rootPublicKey()) + "\n";
    y += "reconnect: {initial: 50ms, max: 500ms}\n";
    y += "pacing: {per_second: 100, burst: 100}\n";
    y += "iq_timeout: 10s\n";
    y += "media_ca_file: " + (mediaCaFile_.empty() ? simulatorCaFile() : mediaCaFile_) + "\n";
    y += "media_attempts: 2\n";
    y += "accounts:\n";
    for (const auto& a : accounts) {
      y += "  - {id: \"" + a + "\", phone: \"" + a + "\"}\n";
    }
    return y;
  }

  // A counter of the connector instance "wa" (the host labels each plugin's series).
  double connectorMetric(const std::string& name) const { return metrics_.value(name, {{"plugin", "wa"}}); }

  // The simulator's media CA as a file, for media_ca_file.
  std::string simulatorCaFile() const {
    const auto path = (dir_ / "media-ca.pem").string();
    std::ofstream(path) << sim_->mediaCaPem();
    return path;
  }

  /// The InboundMessage the pipeline stored for a network id, waiting for it.
  std::optional<sb::InboundMessage> inboundWithId(const std::string& account, const std::string& networkId,
                                                  std::chrono::milliseconds limit = 20s) {
    std::optional<sb::InboundMessage> found;
    waitUntil(
        [&] {
          std::lock_guard lock(inboundMutex_);
          for (const auto& m : inbound_) {
            if (m.account == account && m.networkId == networkId) {
              found = m;
              return true;
            }
          }
          return false;
        },
        limit);
    return found;
  }

  // Starts (or restarts with the same configuration) the connector instance "wa", with its
  // configuration validated by the host's validator against the connector's schema.
  void startConnector(const std::vector<std::string>& accounts) {
    ValidationContext ctx;
    ctx.env = processEnv;
    const auto config = validateSection(YAML::Load(configYaml(accounts)), wc::connectorSchema(), "plugins.wa", ctx);
    ASSERT_TRUE(ctx.errors.empty()) << ctx.errors.front().describe();
    auto settings = wc::ConnectorSettings::parse(config);
    ASSERT_TRUE(settings.ok()) << settings.error().describe();
    context_ = std::make_unique<PluginContextImpl>(*services_, "wa", config, nullptr);
    connector_ = std::make_unique<wc::SessionManager>(*context_, std::move(settings).value());
    auto started = connector_->start();
    ASSERT_TRUE(started.ok()) << started.error().describe();
  }

  void stopConnector() {
    if (connector_) {
      connector_->stop();
    }
    connector_.reset();
    context_.reset();
  }

  // What the pipeline does with a command: store it, hand it to the connector.
  void submit(const sb::OutboundCommand& c) {
    auto stored = store_->storeCommand(c, "");
    ASSERT_TRUE(stored.ok()) << stored.error().describe();
    ASSERT_TRUE(connector_->handles(c.tenant, c.account));
    ASSERT_TRUE(connector_->execute(c).ok());
  }

  // Waits for the account's QR code, has its phone scan it, and waits for the login.
  void pairByQr(const std::string& account) {
    auto qr = events_.waitFor(typeIs(account, "session.qr"));
    ASSERT_TRUE(qr.has_value()) << "no QR code for " << account;
    ASSERT_TRUE(qr->attributes.count("qr"));
    auto scanned = sim_->scanQr(account, qr->attributes.at("qr"));
    ASSERT_TRUE(scanned.ok()) << scanned.error().describe();
    ASSERT_TRUE(events_.waitFor(typeIs(account, "session.paired")).has_value());
    ASSERT_TRUE(events_.waitFor(stateIs(account, "connected")).has_value()) << account << " never logged in";
  }

  std::vector<sb::StoredMessage> messagesOf(const std::string& account) {
    auto tenant = store_->tenant("default");
    sb::ConversationFilter f;
    f.account = account;
    auto convs = tenant->listConversations(f);
    std::vector<sb::StoredMessage> out;
    if (!convs.ok()) {
      return out;
    }
    for (const auto& c : convs.value()) {
      auto msgs = tenant->listMessages(c.id, 100, std::nullopt);
      if (msgs.ok()) {
        out.insert(out.end(), msgs.value().begin(), msgs.value().end());
      }
    }
    return out;
  }

  std::optional<sb::CommandResult> result(const std::string& commandId, sb::ResultStage stage) {
    auto r = events_.waitFor([&](const sb::Event& e) {
      return e.type == "command.result" && e.subject == commandId && e.attributes.count("stage") &&
             e.attributes.at("stage") == sb::toString(stage);
    });
    if (!r) {
      return std::nullopt;
    }
    sb::CommandResult out;
    out.commandId = commandId;
    out.stage = stage;
    out.networkId = r->attributes.count("network_id") ? r->attributes.at("network_id") : "";
    return out;
  }

  sb::OutboundCommand text(const std::string& id, const std::string& from, const std::string& to,
                           const std::string& body) {
    sb::OutboundCommand c;
    c.commandId = id;
    c.account = from;
    c.kind = sb::CommandKind::SendText;
    c.to = to;
    c.text = body;
    return c;
  }

  std::filesystem::path dir_;
  std::shared_ptr<Store> store_;
  boost::asio::io_context simIo_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> simWork_{simIo_.get_executor()};
  std::thread simThread_;
  std::unique_ptr<wasim::Simulator> sim_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::vector<std::thread> hostThreads_;
  MetricsRegistry metrics_;
  LocalEventBus bus_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<HostServices> services_;
  std::unique_ptr<PluginContextImpl> context_;
  std::unique_ptr<wc::SessionManager> connector_;
  std::unique_ptr<sb::EventBus::Subscription> subscription_;
  EventLog events_;
  std::mutex inboundMutex_;
  std::vector<sb::InboundMessage> inbound_;
  std::string mediaCaFile_;  // empty: the simulator's CA
};

}  // namespace

TEST_F(ConnectorOnSimulator, PairsByQrThenLogsInFromStoredCredentialsAfterARestart) {
  startConnector({kAlice});
  ASSERT_TRUE(events_.waitFor(stateIs(kAlice, "qr")).has_value());
  auto qr = events_.waitFor(typeIs(kAlice, "session.qr"));
  ASSERT_TRUE(qr.has_value());
  EXPECT_EQ(qr->attributes.at("qr").rfind("https://wa.me/settings/linked_devices#", 0), 0u);
  ASSERT_TRUE(qr->attributes.count("png"));
  EXPECT_GT(std::filesystem::file_size(qr->attributes.at("png")), 100u);
  pairByQr(kAlice);

  auto devices = sim_->devices(kAlice);
  ASSERT_TRUE(devices.ok());
  ASSERT_EQ(devices->size(), 1u);
  const auto device = devices->front();
  EXPECT_TRUE(waitUntil([&] { return sim_->devices(kAlice).value().front().preKeys >= 30; }))
      << "prekeys on the server: " << sim_->devices(kAlice).value().front().preKeys;
  auto account = store_->getAccount(kAlice);
  ASSERT_TRUE(account.ok() && account.value());
  EXPECT_EQ(account.value()->state, "paired");
  EXPECT_EQ(account.value()->jid, device.jid);
  ASSERT_TRUE(store_->loadDeviceCredentials(kAlice).value().has_value());

  // A restart logs in with the stored credentials: no QR, same device.
  stopConnector();
  EXPECT_TRUE(waitUntil([&] { return !sim_->devices(kAlice).value().front().online; }));
  events_.clear();
  startConnector({kAlice});
  ASSERT_TRUE(events_.waitFor(stateIs(kAlice, "connected")).has_value());
  EXPECT_EQ(events_.count(typeIs(kAlice, "session.qr")), 0u);
  devices = sim_->devices(kAlice);
  ASSERT_EQ(devices->size(), 1u);
  EXPECT_EQ(devices->front().device, device.device);
}

// The tenant's accounts quota holds for the connector's own ways of adding an account: its
// configuration (an account over the quota is not started) and session control (createSession,
// which sbctl and Kafka control add reach) refused with quota_exceeded.
TEST_F(ConnectorOnSimulator, AccountsOverTheTenantsQuotaAreNeitherStartedNorCreated) {
  auto tenancy = Tenancy::of(store_);
  ASSERT_TRUE(tenancy.ok());
  ASSERT_TRUE(tenancy.value()->setQuota("default", sb::quota::kAccounts, 1).ok());
  startConnector({kAlice, kBob});
  EXPECT_TRUE(connector_->handles("default", kAlice));  // the first in id order
  EXPECT_FALSE(connector_->handles("default", kBob));
  auto refused = connector_->createSession("default", kCarol, "");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, sb::quota::kExceededCode);
  EXPECT_NE(refused.error().message.find("accounts quota"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(connector_->handles("default", kCarol));
  // Asking again for an account it runs adds nothing and passes.
  EXPECT_TRUE(connector_->createSession("default", kAlice, "").ok());
  ASSERT_TRUE(tenancy.value()->setQuota("default", sb::quota::kAccounts, 2).ok());
  auto created = connector_->createSession("default", kCarol, "");
  ASSERT_TRUE(created.ok()) << created.error().describe();
  EXPECT_TRUE(connector_->handles("default", kCarol));
}

TEST_F(ConnectorOnSimulator, TextFromOneAccountIsStoredAndAcknowledgedForTheOtherAndSessionsSurviveARestart) {
  startConnector({kAlice, kBob});
  pairByQr(kAlice);
  pairByQr(kBob);

  submit(text("cmd-1", kAlice, kBob, "hello Bob"));
  auto sent = result("cmd-1", sb::ResultStage::Sent);
  ASSERT_TRUE(sent.has_value()) << "no server ack for the send";
  EXPECT_EQ(sent->networkId.rfind("3EB0", 0), 0u);
  ASSERT_TRUE(waitUntil([&] {
    for (const auto& m : messagesOf(kBob)) {
      if (m.text == "hello Bob" && !m.outbound) {
        return true;
      }
    }
    return false;
  })) << "Bob's message never reached the store";
  // Bob acknowledged it only after the commit; Alice sees the delivery.
  EXPECT_TRUE(result("cmd-1", sb::ResultStage::Delivered).has_value());
  ASSERT_TRUE(waitUntil([&] {
    auto devices = sim_->devices(kBob);
    return devices.ok() && devices->front().pending == 0;
  })) << "the simulator still holds unacknowledged stanzas for Bob";

  // Kill and restart: the Signal sessions come back from storage and the next text decrypts.
  stopConnector();
  events_.clear();
  startConnector({kAlice, kBob});
  ASSERT_TRUE(events_.waitFor(stateIs(kAlice, "connected")).has_value());
  ASSERT_TRUE(events_.waitFor(stateIs(kBob, "connected")).has_value());
  submit(text("cmd-2", kAlice, kBob, "still there?"));
  ASSERT_TRUE(result("cmd-2", sb::ResultStage::Sent).has_value());
  ASSERT_TRUE(waitUntil([&] {
    for (const auto& m : messagesOf(kBob)) {
      if (m.text == "still there?") {
        return true;
      }
    }
    return false;
  })) << "after the restart Bob could not decrypt";
  EXPECT_EQ(connectorMetric("whatsapp_decrypt_failures_total"), 0);
}

TEST_F(ConnectorOnSimulator, AnAccountEditsAndDeletesItsOwnMessageAndIsRefusedAnotherAccountsMessage) {
  startConnector({kAlice, kBob});
  pairByQr(kAlice);
  pairByQr(kBob);

  submit(text("orig-1", kAlice, kBob, "the meeting is at 3"));
  auto sent = result("orig-1", sb::ResultStage::Sent);
  ASSERT_TRUE(sent.has_value());
  ASSERT_TRUE(inboundWithId(kBob, sent->networkId).has_value());

  sb::OutboundCommand edit;
  edit.commandId = "edit-1";
  edit.account = kAlice;
  edit.kind = sb::CommandKind::EditMessage;
  edit.to = kBob;
  edit.targetId = sent->networkId;
  edit.text = "the meeting is at 4";
  submit(edit);
  auto edited = result("edit-1", sb::ResultStage::Sent);
  ASSERT_TRUE(edited.has_value());
  auto got = inboundWithId(kBob, edited->networkId);
  ASSERT_TRUE(got.has_value()) << "Bob never stored the edit";
  EXPECT_EQ(got->kind, sb::MessageKind::Edit);
  EXPECT_EQ(got->targetId, sent->networkId);
  EXPECT_EQ(got->text, "the meeting is at 4");

  sb::OutboundCommand del;
  del.commandId = "delete-1";
  del.account = kAlice;
  del.kind = sb::CommandKind::DeleteMessage;
  del.to = kBob;
  del.targetId = sent->networkId;
  submit(del);
  auto deleted = result("delete-1", sb::ResultStage::Sent);
  ASSERT_TRUE(deleted.has_value());
  auto gone = inboundWithId(kBob, deleted->networkId);
  ASSERT_TRUE(gone.has_value()) << "Bob never stored the delete";
  EXPECT_EQ(gone->kind, sb::MessageKind::Delete);
  EXPECT_EQ(gone->targetId, sent->networkId);

  // Bob's copy of Alice's message is not Bob's to change: refused before anything is sent.
  sb::OutboundCommand foreign = edit;
  foreign.commandId = "edit-foreign";
  foreign.account = kBob;
  foreign.to = kAlice;
  submit(foreign);
  auto refused = events_.waitFor([&](const sb::Event& e) {
    return e.type == "command.result" && e.subject == "edit-foreign" && e.attributes.count("stage") &&
           e.attributes.at("stage") == "failed";
  });
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(refused->attributes.at("reason").find("not sent by this account"), std::string::npos)
      << refused->attributes.at("reason");
}

TEST_F(ConnectorOnSimulator, TextFromASimulatedPhoneIsStoredThenAcknowledgedAndARedeliveryIsServedFromStorage) {
  startConnector({kBob});
  pairByQr(kBob);
  auto id = sim_->phoneSendText(kCarol, std::string(kBob) + "@s.whatsapp.net", "hi from Carol's phone");
  ASSERT_TRUE(id.ok()) << id.error().describe();
  ASSERT_TRUE(waitUntil([&] {
    for (const auto& m : messagesOf(kBob)) {
      if (m.text == "hi from Carol's phone" && m.networkId == id.value()) {
        return true;
      }
    }
    return false;
  })) << "the phone's message never reached the store";
  auto messages = messagesOf(kBob);
  auto conv = store_->tenant("default")->listConversations({});
  ASSERT_TRUE(conv.ok());
  bool carolsConversation = false;
  for (const auto& c : conv.value()) {
    carolsConversation = carolsConversation || c.peer == std::string(kCarol) + "@s.whatsapp.net";
  }
  EXPECT_TRUE(carolsConversation) << "the conversation is keyed by the sender's phone-number JID";
  // Acknowledged after the commit: the server drops it from Bob's queue, and Carol's phone sees
  // the delivery receipt.
  // The counter moves on the session's strand after the commit, a moment after the store shows it.
  ASSERT_TRUE(waitUntil([&] {
    auto devices = sim_->devices(kBob);
    return devices.ok() && devices->front().pending == 0 &&
           connectorMetric("whatsapp_messages_received_total") >= 1;
  }));
  EXPECT_EQ(connectorMetric("whatsapp_messages_received_total"), 1);

  // A connection drop before anything else: nothing is redelivered twice into the store.
  auto dev = sim_->devices(kBob).value().front().device;
  ASSERT_TRUE(sim_->injectFault(kBob, dev, wasim::StreamFault{wasim::StreamFault::Kind::Drop, 0, ""}).ok());
  ASSERT_TRUE(events_.waitFor(stateIs(kBob, "disconnected")).has_value());
  events_.clear();
  ASSERT_TRUE(events_.waitFor(stateIs(kBob, "connected")).has_value());
  auto again = sim_->phoneSendText(kCarol, std::string(kBob) + "@s.whatsapp.net", "second");
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(waitUntil([&] {
    for (const auto& m : messagesOf(kBob)) {
      if (m.text == "second") {
        return true;
      }
    }
    return false;
  }));
  std::size_t first = 0;
  for (const auto& m : messagesOf(kBob)) {
    first += m.text == "hi from Carol's phone" ? 1 : 0;
  }
  EXPECT_EQ(first, 1u);
}

// Accounts linked directly (no pairing dance) so many log in at once, each on its own strand. The
// memory figure printed includes the simulator's side and AddressSanitizer's overhead; the target
// per idle account is checked by the connector benchmark in tests/bench, not here.
TEST_F(ConnectorOnSimulator, HundredDirectlyLinkedAccountsLogInTogether) {
  constexpr int kAccounts = 100;
  auto storage = makeConnectorStorage(store_, "wa");
  std::vector<std::string> ids;
  for (int i = 0; i < kAccounts; ++i) {
    const std::string phone = "1555777" + std::to_string(1000 + i);
    ASSERT_TRUE(sim_->createAccount(phone).ok());
    ASSERT_TRUE(storage->putAccount({phone, "default", "", "", "new"}).ok());
    auto creds = wc::DeviceCredentials::generate();
    wc::StoredSignalStore signal(*storage, phone);
    signal.setLocalIdentity(wa::LocalIdentity{creds.identityKey, creds.registrationId}.serialize());
    wa::SignalTransaction txn(signal);
    wa::SignalProtocol protocol(txn);
    auto spk = protocol.generateSignedPreKey(1);
    ASSERT_TRUE(spk.ok());
    ASSERT_TRUE(storage->putSignal(phone, wc::toRecordWrites(txn.changes())).ok());
    creds.signedPreKeyPub = spk->pub;
    creds.signedPreKeySignature = spk->signature;
    wasim::DirectLink link;
    link.noiseKey = creds.noiseKey.pub;
    link.identity = creds.identityKey;
    link.registrationId = creds.registrationId;
    link.signedPreKey = spk->pub;
    link.signedPreKeySignature = spk->signature;
    auto info = sim_->linkDevice(phone, link);
    ASSERT_TRUE(info.ok()) << info.error().describe();
    creds.jid = info->jid;
    creds.lid = info->lid;
    creds.keyIndex = info->keyIndex;
    ASSERT_TRUE(storage->saveCredentials(phone, creds.serialize()).ok());
    ids.push_back(phone);
  }
  const long before = rssKb();
  const auto t0 = std::chrono::steady_clock::now();
  startConnector(ids);
  ASSERT_TRUE(waitUntil(
      [&] {
        for (const auto& id : ids) {
          auto s = connector_->session(id);
          if (!s || s->state() != wc::SessionState::Connected) {
            return false;
          }
        }
        return true;
      },
      120s));
  const double loginSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Let the first prekey uploads and welcome messages settle, then measure.
  std::this_thread::sleep_for(2s);
  const long after = rssKb();
  const double perAccountKb = static_cast<double>(after - before) / kAccounts;
  std::printf("[ figures ] %d accounts logged in in %.1f s; RSS +%ld KiB, %.0f KiB per connected idle account "
              "(connector + simulator side, ASan build)\n",
              kAccounts, loginSeconds, after - before, perAccountKb);
  EXPECT_EQ(connectorMetric("whatsapp_decrypt_failures_total"), 0);
}

namespace {

sb::OutboundCommand mediaCommand(const std::string& id, const std::string& from, const std::string& to,
                                 const std::string& path, const std::string& mime) {
  sb::OutboundCommand c;
  c.commandId = id;
  c.account = from;
  c.kind = sb::CommandKind::SendMedia;
  c.to = to;
  c.media = sb::Media{};
  c.media->mimeType = mime;
  c.media->ref = path;
  return c;
}

}  // namespace

TEST_F(ConnectorOnSimulator, MediaSentByOneAccountIsUploadedThenDownloadedCheckedDecryptedAndStoredByTheOther) {
  startConnector({kAlice, kBob});
  pairByQr(kAlice);
  pairByQr(kBob);

  const std::string photo = noise(150'000, 7);
  const auto photoPath = (dir_ / "photo.jpg").string();
  std::ofstream(photoPath, std::ios::binary) << photo;
  auto c = mediaCommand("media-1", kAlice, kBob, photoPath, "image/jpeg");
  c.media->caption = "the view";
  submit(c);
  auto sent = result("media-1", sb::ResultStage::Sent);
  ASSERT_TRUE(sent.has_value()) << "no server ack for the media message";
  auto got = inboundWithId(kBob, sent->networkId);
  ASSERT_TRUE(got.has_value()) << "Bob never stored the image message";
  EXPECT_EQ(got->kind, sb::MessageKind::Image);
  ASSERT_TRUE(got->media.has_value());
  EXPECT_EQ(got->media->caption, "the view");
  EXPECT_EQ(got->media->mimeType, "image/jpeg");
  EXPECT_EQ(got->media->size, photo.size());
  EXPECT_EQ(got->media->sha256Hex, wa::toHex(wa::sha256(wa::asBytes(photo))));
  EXPECT_EQ(got->media->ref.substr(got->media->ref.size() - 4), ".jpg");
  EXPECT_EQ(slurp(got->media->ref), photo) << "the stored file is not the bytes Alice sent";

  // A document keeps its name; the media host saw only ciphertext.
  const std::string pdf = "%PDF-1.4\n" + noise(40'000, 11);
  const auto pdfPath = (dir_ / "report.pdf").string();
  std::ofstream(pdfPath, std::ios::binary) << pdf;
  auto d = mediaCommand("doc-1", kAlice, kBob, pdfPath, "application/pdf");
  d.media->fileName = "report.pdf";
  submit(d);
  auto docSent = result("doc-1", sb::ResultStage::Sent);
  ASSERT_TRUE(docSent.has_value());
  auto doc = inboundWithId(kBob, docSent->networkId);
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(doc->kind, sb::MessageKind::Document);
  ASSERT_TRUE(doc->media.has_value());
  EXPECT_EQ(doc->media->fileName, "report.pdf");
  EXPECT_EQ(slurp(doc->media->ref), pdf);
  EXPECT_EQ(connectorMetric("whatsapp_media_uploaded_total"), 2);
  EXPECT_EQ(connectorMetric("whatsapp_media_downloaded_total"), 2);
  EXPECT_EQ(connectorMetric("whatsapp_media_download_failures_total"), 0);
  ASSERT_TRUE(waitUntil([&] {
    auto devices = sim_->devices(kBob);
    return devices.ok() && devices->front().pending == 0;
  })) << "Bob left media messages unacknowledged";

  // Bob reacts to the photo; Alice gets the reaction on her own message.
  sb::OutboundCommand like;
  like.commandId = "react-1";
  like.account = kBob;
  like.kind = sb::CommandKind::SendReaction;
  like.to = kAlice;
  like.targetId = sent->networkId;
  like.reaction = "\xF0\x9F\x91\x8D";
  submit(like);
  auto liked = result("react-1", sb::ResultStage::Sent);
  ASSERT_TRUE(liked.has_value());
  auto reaction = inboundWithId(kAlice, liked->networkId);
  ASSERT_TRUE(reaction.has_value()) << "Alice never stored the reaction";
  EXPECT_EQ(reaction->kind, sb::MessageKind::Reaction);
  EXPECT_EQ(reaction->targetId, sent->networkId);
  EXPECT_EQ(reaction->reaction, "\xF0\x9F\x91\x8D");

  // A file that does not exist fails the command without sending anything.
  submit(mediaCommand("media-missing", kAlice, kBob, (dir_ / "nope.jpg").string(), "image/jpeg"));
  EXPECT_TRUE(result("media-missing", sb::ResultStage::Failed).has_value());
}

TEST_F(ConnectorOnSimulator, MediaThatCannotBeDownloadedStillDeliversItsMessageWithTheFailureNoted) {
  startConnector({kAlice, kBob});
  pairByQr(kAlice);
  pairByQr(kBob);
  // Everything the server sends Bob is held back, so Alice's image is still waiting for him when
  // the connector stops (stored accounts all start again, so Bob cannot simply stay away).
  const auto bobDevice = sim_->devices(kBob).value().front().device;
  ASSERT_TRUE(sim_->setSendDelay(kBob, bobDevice, 10s).ok());
  const auto photoPath = (dir_ / "photo.jpg").string();
  std::ofstream(photoPath, std::ios::binary) << noise(5000, 3);
  submit(mediaCommand("media-2", kAlice, kBob, photoPath, "image/jpeg"));
  auto sent = result("media-2", sb::ResultStage::Sent);
  ASSERT_TRUE(sent.has_value());
  stopConnector();
  ASSERT_TRUE(sim_->setSendDelay(kBob, bobDevice, 0ms).ok());

  // Bob comes back trusting only the public roots: the simulator's media host fails TLS.
  mediaCaFile_ = "/etc/ssl/certs/ca-certificates.crt";
  events_.clear();
  startConnector({kAlice, kBob});
  auto failed = events_.waitFor(typeIs(kBob, "media.download_failed"), 30s);
  ASSERT_TRUE(failed.has_value()) << "no media.download_failed event";
  EXPECT_EQ(failed->subject, sent->networkId);
  EXPECT_FALSE(failed->attributes.at("error").empty());
  auto got = inboundWithId(kBob, sent->networkId);
  ASSERT_TRUE(got.has_value()) << "the message was dropped with its media";
  EXPECT_EQ(got->kind, sb::MessageKind::Image);
  ASSERT_TRUE(got->media.has_value());
  // The reference is the descriptor a later download needs, with the reason.
  const std::string descriptor = slurp(got->media->ref);
  EXPECT_NE(descriptor.find("\"direct_path\""), std::string::npos);
  EXPECT_NE(descriptor.find("\"error\""), std::string::npos);
  EXPECT_EQ(connectorMetric("whatsapp_media_download_failures_total"), 1);
  ASSERT_TRUE(waitUntil([&] {
    auto devices = sim_->devices(kBob);
    return devices.ok() && devices->front().pending == 0;
  })) << "the stanza stayed unacknowledged";
}

TEST_F(ConnectorOnSimulator, GroupMessagesGoOutUnderSenderKeysAndAreDecryptedByMembersAndTheirPhones) {
  startConnector({kAlice, kBob});
  pairByQr(kAlice);
  pairByQr(kBob);
  auto group = sim_->createGroup(kCarol, "Switchboard group", {kAlice, kBob});
  ASSERT_TRUE(group.ok()) << group.error().describe();

  auto inGroup = [&](const std::string& account, const std::string& networkId) {
    auto m = inboundWithId(account, networkId);
    if (m) {
      EXPECT_TRUE(m->isGroup);
      EXPECT_EQ(m->chat, group.value());
    }
    return m;
  };
  auto phoneRead = [&](const std::string& phone, const std::string& id) {
    std::string text;
    waitUntil([&] {
      auto inbox = sim_->phoneInbox(phone);
      for (const auto& m : inbox.value()) {
        if (m.id == id && !m.text.empty()) {
          text = m.text;
          return true;
        }
      }
      return false;
    });
    return text;
  };

  // The first message hands Alice's sender key to every device pairwise, then the skmsg.
  submit(text("g-1", kAlice, group.value(), "hello group"));
  auto first = result("g-1", sb::ResultStage::Sent);
  ASSERT_TRUE(first.has_value()) << "no server ack for the group message";
  auto atBob = inGroup(kBob, first->networkId);
  ASSERT_TRUE(atBob.has_value()) << "Bob never stored the group message";
  EXPECT_EQ(atBob->text, "hello group");
  EXPECT_EQ(atBob->sender, std::string(kAlice) + "@s.whatsapp.net");
  EXPECT_EQ(phoneRead(kCarol, first->networkId), "hello group");

  // The next one is the skmsg alone: every member already holds the key.
  submit(text("g-2", kAlice, group.value(), "second"));
  auto second = result("g-2", sb::ResultStage::Sent);
  ASSERT_TRUE(second.has_value());
  auto again = inGroup(kBob, second->networkId);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->text, "second");
  EXPECT_EQ(phoneRead(kCarol, second->networkId), "second");

  // Bob answers in the group with his own sender key.
  submit(text("g-3", kBob, group.value(), "hi all"));
  auto third = result("g-3", sb::ResultStage::Sent);
  ASSERT_TRUE(third.has_value());
  auto atAlice = inGroup(kAlice, third->networkId);
  ASSERT_TRUE(atAlice.has_value());
  EXPECT_EQ(atAlice->text, "hi all");
  EXPECT_EQ(phoneRead(kCarol, third->networkId), "hi all");
  EXPECT_EQ(connectorMetric("whatsapp_decrypt_failures_total"), 0);

  // Carol removes Bob: both companions see it as an event, and Alice's next message (members
  // fetched again after the notification) no longer goes to Bob.
  const std::string bobLid = sim_->account(kBob).value().lid;
  ASSERT_TRUE(sim_->changeGroupMembers(kCarol, group.value(), "remove", {kBob}).ok());
  for (const char* account : {kAlice, kBob}) {
    auto removed = events_.waitFor(typeIs(account, "group.participants_removed"));
    ASSERT_TRUE(removed.has_value()) << account << " saw no removal";
    EXPECT_EQ(removed->subject, group.value());
    EXPECT_NE(removed->attributes.at("participants").find(bobLid), std::string::npos);
    EXPECT_NE(removed->attributes.at("author").find(sim_->account(kCarol).value().lid), std::string::npos);
  }
  submit(text("g-4", kAlice, group.value(), "without Bob"));
  auto fourth = result("g-4", sb::ResultStage::Sent);
  ASSERT_TRUE(fourth.has_value());
  EXPECT_EQ(phoneRead(kCarol, fourth->networkId), "without Bob");
  EXPECT_FALSE(inboundWithId(kBob, fourth->networkId, 1s).has_value()) << "a removed member still receives";
}
