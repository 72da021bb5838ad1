// The SDK's connector storage (PluginContext::connectorStorage) and InboundSink::deliverWithState
// on the real pipeline and a real SQLite store: a message, its Signal writes and its ciphertext hash
// commit together, `done` fires only after that commit, and an outage commits none of them.

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "pipeline/pipeline.hpp"
#include "plugin/plugin_context.hpp"
#include "storage/storage_config.hpp"

using namespace switchboard::host;
namespace sb = switchboard::sdk;
using namespace std::chrono_literals;

namespace {

bool waitFor(const std::function<bool()>& cond, std::chrono::milliseconds limit = 10s) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > end) {
      return false;
    }
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

class ConnectorStorageOnSqlite : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sbconnstore-" + std::to_string(getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    sb::ConfigValue::Map m;
    m["url"] = sb::ConfigValue::ofString("sqlite://" + (dir_ / "db.sqlite").string());
    m["busy_timeout"] = sb::ConfigValue::ofInt(50);
    auto store = openStore(sb::ConfigValue::ofMap(std::move(m)));
    ASSERT_TRUE(store.ok()) << store.error().describe();
    store_ = store.value();
    storage_ = makeConnectorStorage(store_, "wa-test");
    ASSERT_TRUE(storage_->putAccount({"15550001", "default", "", "", "new"}).ok());
  }
  void TearDown() override {
    pipeline_.reset();
    work_.reset();
    if (thread_.joinable()) {
      thread_.join();
    }
    storage_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Pipeline& start() {
    PipelineSettings settings;
    settings.inboundQueue = 64;
    settings.batchSize = 8;
    settings.retryBackoff = 20ms;
    pipeline_ = std::make_unique<Pipeline>(io_, settings, store_, bus_, metrics_, RecordEncoder{});
    pipeline_->start();
    thread_ = std::thread([this] { io_.run(); });
    return *pipeline_;
  }

  static sb::InboundDelivery delivery(int n, std::string session) {
    sb::InboundDelivery d;
    d.message.account = "15550001";
    d.message.networkId = "3EB0" + std::to_string(n);
    d.message.chat = "15550009@s.whatsapp.net";
    d.message.sender = d.message.chat;
    d.message.timestamp = 1'700'000'000'000 + n;
    d.message.text = "hello " + std::to_string(n);
    d.ciphertextHash = std::string(63, 'a') + std::to_string(n % 10);
    d.signal.push_back({sb::SignalTable::Session, "15550009.0", std::move(session)});
    d.signal.push_back({sb::SignalTable::PreKey, std::to_string(100 + n), std::nullopt});
    return d;
  }

  std::optional<std::string> session() {
    auto r = storage_->getSignal("15550001", sb::SignalTable::Session, "15550009.0");
    EXPECT_TRUE(r.ok());
    return r.ok() ? r.value() : std::nullopt;
  }

  std::filesystem::path dir_;
  std::shared_ptr<Store> store_;
  std::unique_ptr<sb::ConnectorStorage> storage_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::thread thread_;
  MetricsRegistry metrics_;
  LocalEventBus bus_;
  std::unique_ptr<Pipeline> pipeline_;
};

}  // namespace

TEST_F(ConnectorStorageOnSqlite, CredentialsRoundTripAndLogoutForgetsSignalState) {
  std::string creds = "credentials with binary bytes: ";
  creds += '\0';
  creds += '\xff';
  EXPECT_FALSE(storage_->loadCredentials("15550001").value().has_value());
  ASSERT_TRUE(storage_->saveCredentials("15550001", creds).ok());
  ASSERT_TRUE(storage_->putSignal("15550001", {{sb::SignalTable::Identity, "15550009.0", std::string("\x05key", 4)},
                                               {sb::SignalTable::PreKey, "7", std::string("prekey")}})
                  .ok());
  EXPECT_EQ(storage_->loadCredentials("15550001").value().value(), creds);
  EXPECT_EQ(storage_->getSignal("15550001", sb::SignalTable::PreKey, "7").value().value(), "prekey");
  // The same key in another table is another record.
  EXPECT_FALSE(storage_->getSignal("15550001", sb::SignalTable::SignedPreKey, "7").value().has_value());

  ASSERT_TRUE(storage_->removeSignal("15550001", sb::SignalTable::PreKey, "7").ok());
  EXPECT_FALSE(storage_->getSignal("15550001", sb::SignalTable::PreKey, "7").value().has_value());

  ASSERT_TRUE(storage_->deleteCredentials("15550001").ok());
  EXPECT_FALSE(storage_->loadCredentials("15550001").value().has_value());
  EXPECT_FALSE(storage_->getSignal("15550001", sb::SignalTable::Identity, "15550009.0").value().has_value());
}

TEST_F(ConnectorStorageOnSqlite, AccountsAreThoseOfThisInstance) {
  ASSERT_TRUE(store_->createTenant("acme", "Acme").ok());
  ASSERT_TRUE(storage_->putAccount({"15550002", "acme", "15550002:3@s.whatsapp.net", "Acme", "paired"}).ok());
  auto other = makeConnectorStorage(store_, "another-instance");
  ASSERT_TRUE(other->putAccount({"15550003", "default", "", "", "new"}).ok());

  auto mine = storage_->accounts();
  ASSERT_TRUE(mine.ok()) << mine.error().describe();
  ASSERT_EQ(mine.value().size(), 2u);
  std::map<std::string, sb::ConnectorAccount> byId;
  for (const auto& a : mine.value()) {
    byId[a.id] = a;
  }
  ASSERT_TRUE(byId.count("15550001") && byId.count("15550002"));
  EXPECT_EQ(byId["15550002"].tenant, "acme");
  EXPECT_EQ(byId["15550002"].jid, "15550002:3@s.whatsapp.net");
  EXPECT_EQ(byId["15550002"].state, "paired");
  // The host's account table saw it too.
  EXPECT_EQ(store_->getAccount("15550002").value()->state, "paired");
  EXPECT_EQ(other->accounts().value().size(), 1u);
}

TEST_F(ConnectorStorageOnSqlite, SentMessagesAreFoundByIdAndPrunedByAge) {
  const std::string payload("\x0a\x05hello\x00\xff", 9);
  ASSERT_TRUE(storage_->saveSent("15550001", {"3EB0AA", "15550009@s.whatsapp.net", payload, 1000, "cmd-1"}).ok());
  ASSERT_TRUE(storage_->saveSent("15550001", {"3EB0BB", "15550009@s.whatsapp.net", "second", 5000, ""}).ok());
  auto found = storage_->findSent("15550001", "3EB0AA");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found.value().has_value());
  EXPECT_EQ(found.value()->payload, payload);
  EXPECT_EQ(found.value()->chat, "15550009@s.whatsapp.net");
  EXPECT_EQ(found.value()->sentAt, 1000);
  EXPECT_EQ(found.value()->commandId, "cmd-1");
  EXPECT_FALSE(storage_->findSent("15550001", "3EB0CC").value().has_value());

  ASSERT_TRUE(storage_->pruneSent("15550001", 2000).ok());
  EXPECT_FALSE(storage_->findSent("15550001", "3EB0AA").value().has_value());
  EXPECT_TRUE(storage_->findSent("15550001", "3EB0BB").value().has_value());

  auto unknown = storage_->saveSent("99999", {"X", "c", "p", 1, ""});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "connector_storage.unknown_account");
}

TEST_F(ConnectorStorageOnSqlite, MessageSignalWritesAndCiphertextHashCommitTogetherBeforeDone) {
  ASSERT_TRUE(storage_->putSignal("15550001", {{sb::SignalTable::PreKey, "101", std::string("opk")}}).ok());
  auto& p = start();
  std::atomic<int> acked{0};
  std::atomic<bool> sawSessionAtDone{false};
  auto d = delivery(1, "ratchet-1");
  const auto hash = d.ciphertextHash;
  ASSERT_TRUE(p.deliverWithState(std::move(d), [&](sb::Status s) {
                 // When done fires the commit has happened: every part is already readable.
                 sawSessionAtDone = s.ok() && session() == std::optional<std::string>("ratchet-1");
                 acked += s.ok() ? 1 : 0;
               }).ok());
  ASSERT_TRUE(waitFor([&] { return acked == 1; }));
  EXPECT_TRUE(sawSessionAtDone.load());
  EXPECT_FALSE(storage_->getSignal("15550001", sb::SignalTable::PreKey, "101").value().has_value())
      << "the consumed one-time prekey is removed in the same transaction";
  auto again = storage_->findInboundByCiphertext("15550001", hash);
  ASSERT_TRUE(again.ok()) << again.error().describe();
  ASSERT_TRUE(again.value().has_value());
  EXPECT_EQ(again.value()->networkId, "3EB01");
  EXPECT_EQ(again.value()->text, "hello 1");
  EXPECT_FALSE(storage_->findInboundByCiphertext("15550001", std::string(64, 'f')).value().has_value());
  // The same stanza through the dedupe key (what the connector asks since SDK 1.3).
  auto redelivered = storage_->findInboundRedelivery("15550001", "3EB01", hash);
  ASSERT_TRUE(redelivered.ok()) << redelivered.error().describe();
  ASSERT_TRUE(redelivered.value().has_value());
  EXPECT_EQ(redelivered.value()->text, "hello 1");
  EXPECT_FALSE(storage_->findInboundRedelivery("15550001", "3EB01", std::string(64, 'f')).value().has_value());
  EXPECT_FALSE(storage_->findInboundRedelivery("15550001", "3EB02", hash).value().has_value());

  // A redelivery with the same network id is acked but changes nothing, not its Signal writes.
  ASSERT_TRUE(p.deliverWithState(delivery(1, "ratchet-replayed"), [&](sb::Status s) { acked += s.ok() ? 1 : 0; })
                  .ok());
  ASSERT_TRUE(waitFor([&] { return acked == 2; }));
  EXPECT_EQ(session(), std::optional<std::string>("ratchet-1"));
  EXPECT_EQ(store_->outboxDepth().value(), 1);
}

TEST_F(ConnectorStorageOnSqlite, OutageCommitsNeitherMessageNorSignalWrites) {
  auto& p = start();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "db.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  std::atomic<int> acked{0};
  ASSERT_TRUE(p.deliverWithState(delivery(2, "ratchet-2"), [&](sb::Status s) { acked += s.ok() ? 1 : 0; }).ok());
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(acked.load(), 0) << "nothing may be acked while the database is away";
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  EXPECT_FALSE(session().has_value()) << "the ratchet state must not be written apart from its message";
  sqlite3_close(db);
  ASSERT_TRUE(waitFor([&] { return acked == 1; }));
  EXPECT_EQ(session(), std::optional<std::string>("ratchet-2"));
}

TEST(PluginContextConnectorStorage, AbsentWithoutAStore) {
  boost::asio::io_context io;
  MetricsRegistry metrics;
  LocalEventBus bus;
  struct NullSink final : sb::InboundSink, sb::Outbound {
    sb::Status deliver(sb::InboundMessage, Done) override { return sb::okStatus(); }
    void event(const sb::Event&) override {}
    void result(const sb::CommandResult&) override {}
    sb::Status deliverWithState(sb::InboundDelivery, Done) override { return sb::okStatus(); }
    sb::Result<sb::CommandResult> submit(const sb::OutboundCommand&) override { return sb::CommandResult{}; }
  } sink;
  HostServices services{io, metrics, nullptr, bus, sink, sink, "/tmp"};
  PluginContextImpl ctx(services, "wa", sb::ConfigValue(), nullptr);
  EXPECT_EQ(ctx.connectorStorage(), nullptr);
}
