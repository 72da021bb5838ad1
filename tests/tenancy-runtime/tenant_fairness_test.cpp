// Fair scheduling of tenants: a burst in tenant A neither puts tenant B's messages behind the
// whole burst nor fills the queue so that B is pushed back.

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>

#include "pipeline/inbound_queue.hpp"
#include "pipeline/pipeline.hpp"
#include "pipeline/tenant_fair_queue.hpp"
#include "storage/storage_config.hpp"

using namespace switchboard::host;
using namespace std::chrono_literals;
namespace sb = switchboard::sdk;

namespace {

PendingInbound pending(const std::string& tenant, int n) {
  PendingInbound p;
  p.message.tenant = tenant;
  p.message.account = "acct-" + tenant;
  p.message.networkId = tenant + "-" + std::to_string(n);
  p.enqueued = std::chrono::steady_clock::now();
  return p;
}

}  // namespace

TEST(TenantFairQueue, SingleItemOfAnotherTenantIsServedNextNotAfterTheBacklog) {
  TenantFairQueue<int> q;
  for (int i = 0; i < 1000; ++i) {
    q.push("a", i);
  }
  q.push("b", -1);
  EXPECT_EQ(q.activeTenants(), 2U);
  EXPECT_EQ(*q.pop(), 0);
  EXPECT_EQ(*q.pop(), -1) << "b waited behind more than one of a's items";
  // a's items keep their order; b no longer takes turns once it is empty.
  for (int i = 1; i < 1000; ++i) {
    ASSERT_EQ(*q.pop(), i);
  }
  EXPECT_FALSE(q.pop().has_value());
  EXPECT_EQ(q.activeTenants(), 0U);
}

TEST(TenantFairQueue, ThreeTenantsTakeTurnsInArrivalOrder) {
  TenantFairQueue<std::string> q;
  for (const auto* t : {"a", "a", "a", "b", "c", "c"}) {
    q.push(t, t);
  }
  std::string order;
  while (auto v = q.pop()) {
    order += *v;
  }
  EXPECT_EQ(order, "abcaca");
  EXPECT_EQ(q.size(), 0U);
  EXPECT_EQ(q.size("a"), 0U);
}

TEST(InboundQueue, OneTenantFillsOnlyItsShareAndTheOthersStillGetIn) {
  InboundQueue q(100, 75);
  int accepted = 0;
  InboundQueue::Push last = InboundQueue::Push::Accepted;
  for (int i = 0; i < 200 && last == InboundQueue::Push::Accepted; ++i) {
    last = q.push(pending("a", i));
    accepted += last == InboundQueue::Push::Accepted ? 1 : 0;
  }
  EXPECT_EQ(last, InboundQueue::Push::TenantFull);
  EXPECT_EQ(accepted, 75);
  for (int i = 0; i < 25; ++i) {
    ASSERT_EQ(q.push(pending("b", i)), InboundQueue::Push::Accepted) << i;
  }
  EXPECT_EQ(q.push(pending("c", 0)), InboundQueue::Push::Full) << "the capacity still bounds the whole queue";
  EXPECT_EQ(q.size("a"), 75U);
  EXPECT_EQ(q.size("b"), 25U);
}

TEST(InboundQueue, BatchInterleavesTenantsSoTheQuietOneIsStoredInTheFirstBatch) {
  InboundQueue q(10'000, 75);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(q.push(pending("a", i)), InboundQueue::Push::Accepted);
  }
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(q.push(pending("b", i)), InboundQueue::Push::Accepted);
  }
  auto batch = q.popBatch(16, 0ms);
  ASSERT_EQ(batch.size(), 16U);
  std::vector<std::string> b;
  int lastA = -1;
  for (const auto& item : batch) {
    if (item.message.tenant == "b") {
      b.push_back(item.message.networkId);
    } else {
      const int n = std::stoi(item.message.networkId.substr(2));
      EXPECT_EQ(n, lastA + 1) << "a tenant's own messages stay in order";
      lastA = n;
    }
  }
  EXPECT_EQ(b, (std::vector<std::string>{"b-0", "b-1", "b-2"}));
  EXPECT_EQ(q.size(), 5000U + 3U - 16U);
}

TEST(InboundQueue, ClosedRefusesAndDrains) {
  InboundQueue q(10);
  ASSERT_EQ(q.push(pending("a", 0)), InboundQueue::Push::Accepted);
  q.close();
  EXPECT_EQ(q.push(pending("a", 1)), InboundQueue::Push::Closed);
  EXPECT_EQ(q.popBatch(10, 0ms).size(), 1U);
  EXPECT_TRUE(q.popBatch(10, 0ms).empty());
}

// The pipeline on SQLite: while the database is held, tenant A's storm fills A's share; B's message
// is accepted, and once the database is back it is stored in the batch after the one in progress,
// not after A's whole backlog.
class FairPipelineOnSqlite : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("sb-fair-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    sb::ConfigValue::Map m;
    m["url"] = sb::ConfigValue::ofString("sqlite://" + (dir_ / "db.sqlite").string());
    m["busy_timeout"] = sb::ConfigValue::ofInt(50);
    auto store = openStore(sb::ConfigValue::ofMap(std::move(m)));
    ASSERT_TRUE(store.ok()) << store.error().describe();
    store_ = store.value();
    for (const auto* t : {"a", "b"}) {
      (void)store_->createTenant(t, t);
    }
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

  std::filesystem::path dir_;
  std::shared_ptr<Store> store_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{io_.get_executor()};
  std::thread thread_;
  MetricsRegistry metrics_;
  LocalEventBus bus_;
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(FairPipelineOnSqlite, QuietTenantIsStoredBeforeTheStormingTenantsBacklog) {
  PipelineSettings settings;
  settings.inboundQueue = 64;
  settings.batchSize = 8;
  settings.batchLinger = 0ms;
  settings.retryBackoff = 20ms;
  settings.tenantShare = 75;
  pipeline_ = std::make_unique<Pipeline>(io_, settings, store_, bus_, metrics_, RecordEncoder{});
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "db.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  pipeline_->start();
  thread_ = std::thread([this] { io_.run(); });

  std::mutex orderMutex;
  std::vector<std::string> acked;
  auto done = [&](std::string id) {
    return [&, id](sb::Status s) {
      if (s.ok()) {
        std::lock_guard lock(orderMutex);
        acked.push_back(id);
      }
    };
  };
  auto message = [](const std::string& tenant, int n) {
    sb::InboundMessage m;
    m.tenant = tenant;
    m.account = "acct-" + tenant;
    m.networkId = tenant + "-" + std::to_string(n);
    m.chat = "1555000900" + std::to_string(n % 3) + "@s.whatsapp.net";
    m.sender = m.chat;
    m.timestamp = 1'700'000'000'000 + n;
    m.text = "message " + std::to_string(n);
    return m;
  };
  int aAccepted = 0;
  sb::Status refused;
  for (int i = 0; i < 500; ++i) {
    auto s = pipeline_->deliver(message("a", i), done("a-" + std::to_string(i)));
    if (!s.ok()) {
      refused = s;
      break;
    }
    ++aAccepted;
  }
  ASSERT_FALSE(refused.ok()) << "tenant a must be pushed back at its share";
  EXPECT_EQ(refused.error().code, "pipeline.full");
  EXPECT_NE(refused.error().message.find("tenant \"a\""), std::string::npos) << refused.error().message;
  EXPECT_EQ(metrics_.value("pipeline_tenant_backpressure_total"), 1);
  ASSERT_TRUE(pipeline_->deliver(message("b", 0), done("b-0")).ok()) << "b found no room: a filled the queue";

  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  const auto end = std::chrono::steady_clock::now() + 20s;
  for (;;) {
    {
      std::lock_guard lock(orderMutex);
      if (acked.size() == static_cast<std::size_t>(aAccepted) + 1) {
        break;
      }
    }
    ASSERT_LT(std::chrono::steady_clock::now(), end) << "not everything was stored";
    std::this_thread::sleep_for(5ms);
  }
  std::lock_guard lock(orderMutex);
  const auto at = std::find(acked.begin(), acked.end(), "b-0") - acked.begin();
  // The batch held while the database was away (8 of a's), then b's turn comes at once.
  EXPECT_LE(at, 9) << "b was stored behind " << at << " of a's " << aAccepted << " messages";
  EXPECT_GT(aAccepted, 40) << "a's share of 64 is 48, plus the batch held by the store stage";
}

TEST(TenantFairQueue, PopEligibleSkipsTenantsWithoutRoomAndKeepsTheirPlace) {
  TenantFairQueue<std::string> q;
  for (const auto* item : {"a1", "a2", "b1", "c1"}) {
    q.push(std::string(1, item[0]), item);
  }
  EXPECT_EQ(*q.popEligible([](const std::string& t) { return t != "a"; }), "b1");
  EXPECT_FALSE(q.popEligible([](const std::string&) { return false; }).has_value());
  EXPECT_EQ(q.size(), 3U);
  EXPECT_EQ(*q.pop(), "c1");
  EXPECT_EQ(*q.pop(), "a1");
  EXPECT_EQ(*q.pop(), "a2");
}
