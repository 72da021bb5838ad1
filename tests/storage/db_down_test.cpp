// A PostgreSQL server that goes away: every Store call returns a Retriable error while it is
// down, the store reconnects by itself when it is back, and openStore retries with backoff.

#include <unistd.h>

#include <chrono>
#include <thread>

#include "storage_fixture.hpp"

namespace switchboard::host::test {
namespace {

using Clock = std::chrono::steady_clock;

class PostgresOutage : public ::testing::Test {
 protected:
  void SetUp() override {
    pg_ = sharedPostgres();
    ASSERT_NE(pg_, nullptr);
    std::string error;
    static int counter = 0;
    database_ = "outage_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    ASSERT_TRUE(pg_->createDatabase(database_, error)) << error;
    dir_ = ::testing::TempDir() + "sb-outage-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_.data()), nullptr);
  }
  void TearDown() override {
    std::string error;
    if (pg_ != nullptr) {
      EXPECT_TRUE(pg_->restart(error)) << error;  // leave it running for the next test
    }
    std::string cmd = "rm -rf '" + dir_ + "'";
    (void)std::system(cmd.c_str());
  }
  sdk::ConfigValue config(int retries, int backoffMs) const {
    return sdk::ConfigValue::ofMap({{"url", sdk::ConfigValue::ofString(pg_->url(database_))},
                                    {"key_file", sdk::ConfigValue::ofString(dir_ + "/key")},
                                    {"pool_size", sdk::ConfigValue::ofInt(3)},
                                    {"connect_retries", sdk::ConfigValue::ofInt(retries)},
                                    {"connect_backoff", sdk::ConfigValue::ofInt(backoffMs)},
                                    {"connect_backoff_max", sdk::ConfigValue::ofInt(400)}});
  }

  testing::PostgresServer* pg_ = nullptr;
  std::string database_, dir_;
};

template <typename R>
void expectRetriable(const R& r, const char* what) {
  ASSERT_FALSE(r.ok()) << what << " succeeded while the database is down";
  EXPECT_TRUE(r.error().isRetriable()) << what << ": " << r.error().describe();
}

TEST_F(PostgresOutage, CallsAreRetriableWhileDownAndRecoverAfter) {
  auto opened = openStore(config(3, 50));
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  auto store = *opened;
  std::vector<InboundWrite> first = {makeInbound("default", "acc", "15551112222", "W1", "before", 1)};
  ASSERT_TRUE(store->storeInbound(first).ok());
  EXPECT_TRUE(store->healthy());

  std::string error;
  ASSERT_TRUE(pg_->stop(error)) << error;
  std::vector<InboundWrite> during = {makeInbound("default", "acc", "15551112222", "W2", "during", 2)};
  // Several rounds, so every pooled connection meets the outage.
  for (int round = 0; round < 4; ++round) {
    EXPECT_FALSE(store->healthy());
    auto copy = during;
    expectRetriable(store->storeInbound(copy), "storeInbound");
    expectRetriable(store->pendingOutbox(0, 10), "pendingOutbox");
    expectRetriable(store->outboxDepth(), "outboxDepth");
    expectRetriable(store->markProduced({1}), "markProduced");
    sdk::OutboundCommand cmd;
    cmd.commandId = "c1";
    cmd.account = "acc";
    expectRetriable(store->storeCommand(cmd, "raw"), "storeCommand");
    expectRetriable(store->readSignal(SignalWrite::Table::Session, "acc", "x"), "readSignal");
    expectRetriable(store->tenant("default")->getContact("c1"), "TenantStorage::getContact");
    expectRetriable(store->tenant("default")->listAgents(), "TenantStorage::listAgents");
  }

  ASSERT_TRUE(pg_->restart(error)) << error;
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (!store->healthy() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(store->healthy()) << "the store did not reconnect after the database came back";
  // The batch refused during the outage was not stored in part: storing it now is not a duplicate.
  auto retried = store->storeInbound(during);
  ASSERT_TRUE(retried.ok()) << retried.error().describe();
  EXPECT_FALSE((*retried)[0].duplicate);
  for (int i = 0; i < 4; ++i) {
    auto depth = store->outboxDepth();
    ASSERT_TRUE(depth.ok()) << depth.error().describe();
    EXPECT_EQ(*depth, 2);
    EXPECT_TRUE(store->tenant("default")->listAgents().ok());
  }
}

TEST_F(PostgresOutage, OpenStoreRetriesWithBackoffThenGivesUpOrSucceeds) {
  std::string error;
  ASSERT_TRUE(pg_->stop(error)) << error;
  auto start = Clock::now();
  auto failed = openStore(config(3, 100));
  auto elapsed = Clock::now() - start;
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "storage.connect_failed");
  EXPECT_TRUE(failed.error().isRetriable());
  EXPECT_NE(failed.error().message.find("after 3 attempts"), std::string::npos) << failed.error().message;
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));  // waited 100 ms, then 200 ms

  // The database comes up while openStore is still trying.
  std::thread starter([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    std::string e;
    EXPECT_TRUE(pg_->restart(e)) << e;
  });
  auto opened = openStore(config(60, 100));
  starter.join();
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_TRUE((*opened)->healthy());
}

}  // namespace
}  // namespace switchboard::host::test
