// The pipeline on a real SQLite store: backpressure when the queue is full, and a database that
// goes away mid-run pauses the store stage (nothing acknowledged) until it comes back.

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "pipeline/pipeline.hpp"
#include "storage/storage_config.hpp"

using namespace switchboard::host;
namespace sb = switchboard::sdk;
using namespace std::chrono_literals;

namespace {

class PipelineOnSqlite : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sbpipe-" + std::to_string(getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    sb::ConfigValue::Map m;
    m["url"] = sb::ConfigValue::ofString("sqlite://" + (dir_ / "db.sqlite").string());
    m["busy_timeout"] = sb::ConfigValue::ofInt(50);
    auto store = openStore(sb::ConfigValue::ofMap(std::move(m)));
    ASSERT_TRUE(store.ok()) << store.error().describe();
    store_ = store.value();
  }
  void TearDown() override {
    pipeline_.reset();
    work_.reset();
    if (thread_.joinable()) {
      thread_.join();
    }
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  Pipeline& start(std::size_t capacity) {
    PipelineSettings settings;
    settings.inboundQueue = capacity;
    settings.batchSize = 8;
    settings.retryBackoff = 20ms;
    pipeline_ = std::make_unique<Pipeline>(io_, settings, store_, bus_, metrics_, RecordEncoder{});
    pipeline_->start();
    thread_ = std::thread([this] { io_.run(); });
    return *pipeline_;
  }

  sb::InboundMessage message(int n) {
    sb::InboundMessage m;
    m.account = "15550001";
    m.networkId = "net-" + std::to_string(n);
    m.chat = "1555000900" + std::to_string(n % 3) + "@s.whatsapp.net";
    m.sender = m.chat;
    m.timestamp = 1'700'000'000'000 + n;
    m.text = "message " + std::to_string(n);
    return m;
  }

  // Holds SQLite's write lock from another connection, as a stuck writer or a vanished volume would.
  sqlite3* lockDatabase() {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open((dir_ / "db.sqlite").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
    return db;
  }
  static void unlockDatabase(sqlite3* db) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }

  std::filesystem::path dir_;
  std::shared_ptr<Store> store_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::thread thread_;
  MetricsRegistry metrics_;
  LocalEventBus bus_;
  std::unique_ptr<Pipeline> pipeline_;
};

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

}  // namespace

TEST_F(PipelineOnSqlite, StoresAndAcksOnlyAfterCommit) {
  auto& p = start(64);
  std::atomic<int> acked{0};
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(p.deliver(message(i), [&](sb::Status s) { acked += s.ok() ? 1 : 0; }).ok());
  }
  ASSERT_TRUE(waitFor([&] { return acked == 20; }));
  auto depth = store_->outboxDepth();
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(depth.value(), 20);
  // Redelivery of the same network ids is acked again but stored once.
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(p.deliver(message(i), [&](sb::Status s) { acked += s.ok() ? 1 : 0; }).ok());
  }
  ASSERT_TRUE(waitFor([&] { return acked == 25; }));
  EXPECT_EQ(store_->outboxDepth().value(), 20);
  EXPECT_EQ(metrics_.value("pipeline_inbound_duplicates_total"), 5);
}

TEST_F(PipelineOnSqlite, FullQueuePushesBackAndDatabaseOutagePausesWithoutAcking) {
  auto& p = start(16);
  sqlite3* lock = lockDatabase();
  std::atomic<int> acked{0}, failed{0};
  auto done = [&](sb::Status s) { (s.ok() ? acked : failed) += 1; };
  int accepted = 0;
  sb::Status refused;
  for (int i = 0; i < 64; ++i) {
    auto s = p.deliver(message(i), done);
    if (!s.ok()) {
      refused = s;
      break;
    }
    ++accepted;
  }
  ASSERT_FALSE(refused.ok()) << "a bounded queue must refuse at some point";
  EXPECT_EQ(refused.error().code, "pipeline.full");
  EXPECT_TRUE(refused.error().isRetriable());
  // Batch in the store stage plus a full queue: never more than capacity + one batch.
  EXPECT_LE(accepted, 16 + 8);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(acked.load(), 0) << "nothing may be acked while the database is unavailable";
  EXPECT_EQ(failed.load(), 0) << "a retriable outage is waited out, not failed";
  EXPECT_GT(metrics_.value("pipeline_store_failures_total"), 0);

  unlockDatabase(lock);
  ASSERT_TRUE(waitFor([&] { return acked == accepted; })) << acked << " of " << accepted;
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(store_->outboxDepth().value(), accepted);
  // And it takes new work again.
  EXPECT_TRUE(p.deliver(message(1000), done).ok());
  ASSERT_TRUE(waitFor([&] { return acked == accepted + 1; }));
}

TEST_F(PipelineOnSqlite, DrainStoresEverythingQueuedThenRefuses) {
  auto& p = start(1000);
  std::atomic<int> acked{0};
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(p.deliver(message(i), [&](sb::Status s) { acked += s.ok() ? 1 : 0; }).ok());
  }
  EXPECT_TRUE(p.drain(std::chrono::steady_clock::now() + 10s));
  EXPECT_EQ(acked.load(), 300);
  EXPECT_EQ(store_->outboxDepth().value(), 300);
  auto refused = p.deliver(message(5000), [](sb::Status) {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "pipeline.stopping");
}

TEST_F(PipelineOnSqlite, OutboxOverItsLimitRefusesNewWork) {
  auto& p = start(64);
  std::atomic<bool> over{true};
  p.refuseWhile([&] { return over.load(); });
  auto refused = p.deliver(message(1), [](sb::Status) {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "pipeline.outbox_full");
  EXPECT_TRUE(refused.error().isRetriable());
  over = false;
  std::atomic<int> acked{0};
  EXPECT_TRUE(p.deliver(message(1), [&](sb::Status s) { acked += s.ok() ? 1 : 0; }).ok());
  ASSERT_TRUE(waitFor([&] { return acked == 1; }));
}

// A send for an account no connector claims is an unknown account, except while the daemon is
// still starting its plugins: then it is retried, since its connector may simply not run yet.
TEST_F(PipelineOnSqlite, UnknownAccountIsRetriedWhileConnectorsStart) {
  auto& p = start(16);
  sb::OutboundCommand c;
  c.commandId = "c-1";
  c.account = "15550001";
  c.kind = sb::CommandKind::SendText;
  c.to = "15550002";
  c.text = "hi";
  p.holdCommandsWhileConnectorsStart(true);
  auto held = p.validate(c);
  ASSERT_FALSE(held.ok());
  EXPECT_TRUE(held.error().isRetriable());
  EXPECT_EQ(held.error().code, "command.connectors_starting");
  p.holdCommandsWhileConnectorsStart(false);
  auto unknown = p.validate(c);
  ASSERT_FALSE(unknown.ok());
  EXPECT_FALSE(unknown.error().isRetriable());
  EXPECT_EQ(unknown.error().code, "command.unknown_account");
}
