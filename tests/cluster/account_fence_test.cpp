// Fencing on one PostgreSQL shared by two "daemons" (two stores, each with its own fence): the
// daemon that lost an account gets its writes refused, counted and reported, and what the new
// owner wrote stays.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <optional>

#include "cluster/account_placement.hpp"
#include "cluster/cluster_config.hpp"
#include "storage/account_fence.hpp"
#include "storage/sql_store.hpp"
#include "storage/storage_config.hpp"
#include "support/postgres_server.hpp"

namespace sb = switchboard;
namespace st = switchboard::host::storage;
using sb::sdk::ConfigValue;

namespace {

class AccountFenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    pg_ = sb::testing::PostgresServer::start(error).release();
    ASSERT_NE(pg_, nullptr) << error;
  }
  static void TearDownTestSuite() {
    delete pg_;
    pg_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(pg_, nullptr);
    std::string templ = std::string(::testing::TempDir()) + "sb-fence-XXXXXX";
    ASSERT_NE(::mkdtemp(templ.data()), nullptr);
    dir_ = templ;
    static int counter = 0;
    database_ = "fence" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    std::string error;
    ASSERT_TRUE(pg_->createDatabase(database_, error)) << error;
  }
  void TearDown() override { (void)std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::shared_ptr<sb::host::Store> open(std::shared_ptr<st::AccountFence> fence, const std::string& url = "") {
    ConfigValue::Map m = {{"url", ConfigValue::ofString(url.empty() ? pg_->url(database_) : url)},
                          {"key_file", ConfigValue::ofString(dir_ + "/storage.key")},
                          {"pool_size", ConfigValue::ofInt(2)},
                          {"connect_retries", ConfigValue::ofInt(3)}};
    auto store = sb::host::openStore(ConfigValue::ofMap(std::move(m)), std::move(fence));
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().describe());
    return store.ok() ? store.value() : nullptr;
  }
  static st::Database& db(const std::shared_ptr<sb::host::Store>& s) {
    return dynamic_cast<st::SqlStore&>(*s).db();
  }
  static sb::sdk::Status writeSession(sb::host::Store& s, const std::string& account, const std::string& value) {
    sb::host::SignalWrite w;
    w.table = sb::host::SignalWrite::Table::Session;
    w.account = account;
    w.key = "15550001111.0";
    w.value = value;
    return s.writeSignal({w});
  }

  static sb::testing::PostgresServer* pg_;
  std::string dir_, database_;
};

sb::testing::PostgresServer* AccountFenceTest::pg_ = nullptr;

TEST_F(AccountFenceTest, StaleOwnerIsRefusedAndNewOwnerWins) {
  auto fenceA = std::make_shared<st::AccountFence>("daemon-a");
  auto fenceB = std::make_shared<st::AccountFence>("daemon-b");
  auto a = open(fenceA);
  auto b = open(fenceB);
  ASSERT_TRUE(a && b);
  std::vector<std::tuple<std::string, long long, long long>> refused;
  fenceA->onRefusal([&](const std::string& acct, long long held, long long recorded) {
    refused.emplace_back(acct, held, recorded);
  });

  auto g1 = fenceA->claim(db(a), "acct1");
  ASSERT_TRUE(g1.ok()) << g1.error().describe();
  EXPECT_EQ(*g1, 1);
  ASSERT_TRUE(writeSession(*a, "acct1", "from-a").ok());

  // daemon-b takes the account over (the group moved its partition while daemon-a was paused).
  auto g2 = fenceB->claim(db(b), "acct1");
  ASSERT_TRUE(g2.ok());
  EXPECT_EQ(*g2, 2);
  ASSERT_TRUE(writeSession(*b, "acct1", "from-b").ok());

  // daemon-a wakes up and writes with its old generation: refused, counted, reported.
  auto stale = writeSession(*a, "acct1", "stale-from-a");
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, "storage.fenced");
  EXPECT_NE(stale.error().message.find("generation 1"), std::string::npos) << stale.error().message;
  EXPECT_EQ(fenceA->refusals(), 1U);
  ASSERT_EQ(refused.size(), 1U);
  EXPECT_EQ(refused[0], std::make_tuple(std::string("acct1"), 1LL, 2LL));

  // The inbound path (messages + Signal state in one transaction) is refused the same way, and
  // leaves nothing behind: the new owner stores the same message as new.
  std::vector<sb::host::InboundWrite> batch(1);
  batch[0].message.account = "acct1";
  batch[0].message.networkId = "NET-1";
  batch[0].message.chat = "15550001111@s.whatsapp.net";
  batch[0].message.sender = batch[0].message.chat;
  batch[0].message.timestamp = 1000;
  batch[0].message.text = "hello";
  auto storedA = a->storeInbound(batch);
  ASSERT_FALSE(storedA.ok());
  EXPECT_EQ(storedA.error().code, "storage.fenced");
  auto storedB = b->storeInbound(batch);
  ASSERT_TRUE(storedB.ok()) << storedB.error().describe();
  EXPECT_FALSE(storedB.value().at(0).duplicate);

  // Nothing corrupted: the Signal session is the new owner's, whoever reads it.
  for (auto* s : {a.get(), b.get()}) {
    auto v = s->readSignal(sb::host::SignalWrite::Table::Session, "acct1", "15550001111.0");
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(v->has_value());
    EXPECT_EQ(**v, "from-b");
  }

  // An account daemon-a never took over is refused too; daemon-b's own writes all went through.
  EXPECT_EQ(writeSession(*a, "acct2", "x").error().code, "storage.fenced");
  EXPECT_EQ(fenceB->refusals(), 0U);

  auto rows = st::AccountFence::list(db(a));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1U);
  EXPECT_EQ(rows->at(0).account, "acct1");
  EXPECT_EQ(rows->at(0).generation, 2);
  EXPECT_EQ(rows->at(0).owner, "daemon-b");
  EXPECT_EQ(rows->at(0).state, "active");
}

TEST_F(AccountFenceTest, DroppedAccountIsRefusedAndReclaimWorks) {
  auto fence = std::make_shared<st::AccountFence>("daemon-a");
  auto a = open(fence);
  ASSERT_TRUE(a);
  ASSERT_TRUE(fence->claim(db(a), "acct9").ok());
  ASSERT_TRUE(writeSession(*a, "acct9", "one").ok());
  fence->drop("acct9");
  EXPECT_EQ(writeSession(*a, "acct9", "two").error().code, "storage.fenced");
  auto again = fence->claim(db(a), "acct9");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 2);
  EXPECT_TRUE(writeSession(*a, "acct9", "three").ok());

  ASSERT_TRUE(st::AccountFence::setState(db(a), "acct9", "paused").ok());
  ASSERT_TRUE(st::AccountFence::setState(db(a), "acct10", "paused").ok());
  auto rows = st::AccountFence::list(db(a));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2U);  // ordered by account: "acct10" sorts before "acct9"
  EXPECT_EQ(rows->at(0).account, "acct10");
  EXPECT_EQ(rows->at(0).generation, 0);  // paused before anyone took it over
  EXPECT_EQ(rows->at(1).account, "acct9");
  EXPECT_EQ(rows->at(1).state, "paused");
  EXPECT_EQ(rows->at(1).generation, 2);  // pausing does not take the account over
  ASSERT_TRUE(st::AccountFence::forget(db(a), "acct10").ok());
  EXPECT_EQ(st::AccountFence::list(db(a))->size(), 1U);
}

// Without a fence (one daemon) nothing is checked, as before scale-out existed.
TEST_F(AccountFenceTest, NoFenceNoCheck) {
  auto a = open(nullptr);
  ASSERT_TRUE(a);
  EXPECT_TRUE(writeSession(*a, "acct1", "v").ok());
}

TEST_F(AccountFenceTest, SqliteCannotBeFenced) {
  auto fence = std::make_shared<st::AccountFence>("daemon-a");
  auto s = open(fence, "sqlite://" + dir_ + "/one.db");
  ASSERT_TRUE(s);
  auto g = fence->claim(db(s), "acct1");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, "storage.fence_unsupported");
}

TEST(ClusterConfig, RefusesSqliteAndEmbeddedKafka) {
  auto section = [](bool enabled) {
    return ConfigValue::ofMap({{"enabled", ConfigValue::ofBool(enabled)}});
  };
  auto sqlite = sb::host::cluster::clusterSettings(section(true), "daemon-a", "sqlite:///var/lib/sb.db", false);
  ASSERT_FALSE(sqlite.ok());
  EXPECT_EQ(sqlite.error().code, "config");
  EXPECT_NE(sqlite.error().message.find("PostgreSQL"), std::string::npos) << sqlite.error().message;
  EXPECT_NE(sqlite.error().message.find("storage.url"), std::string::npos);
  auto embedded = sb::host::cluster::clusterSettings(section(true), "daemon-a", "postgresql://h/db", true);
  ASSERT_FALSE(embedded.ok());
  EXPECT_NE(embedded.error().message.find("kafka.embedded"), std::string::npos);
  auto unnamed = sb::host::cluster::clusterSettings(section(true), "switchboard", "postgresql://h/db", false);
  ASSERT_FALSE(unnamed.ok());
  EXPECT_NE(unnamed.error().message.find("instance_id"), std::string::npos);
  auto ok = sb::host::cluster::clusterSettings(section(true), "daemon-a", "postgresql://h/db", false);
  ASSERT_TRUE(ok.ok()) << ok.error().describe();
  EXPECT_TRUE(ok->enabled);
  // Off: SQLite is fine.
  EXPECT_TRUE(sb::host::cluster::clusterSettings(section(false), "switchboard", "sqlite://x.db", true).ok());
}

TEST(ClusterConfig, AssignmentStrategy) {
  auto section = [](std::optional<std::string> strategy) {
    ConfigValue::Map m{{"enabled", ConfigValue::ofBool(true)}};
    if (strategy) {
      m.emplace("assignment_strategy", ConfigValue::ofString(*strategy));
    }
    return ConfigValue::ofMap(std::move(m));
  };
  auto byDefault = sb::host::cluster::clusterSettings(section(std::nullopt), "daemon-a", "postgresql://h/db", false);
  ASSERT_TRUE(byDefault.ok()) << byDefault.error().describe();
  EXPECT_EQ(byDefault->assignmentStrategy, "cooperative-sticky");
  auto eager = sb::host::cluster::clusterSettings(section("roundrobin"), "daemon-a", "postgresql://h/db", false);
  ASSERT_TRUE(eager.ok()) << eager.error().describe();
  EXPECT_EQ(eager->assignmentStrategy, "roundrobin");
  // A mix (librdkafka refuses eager and cooperative together) or an unknown name is refused.
  auto mixed =
      sb::host::cluster::clusterSettings(section("roundrobin,cooperative-sticky"), "daemon-a", "postgresql://h/db", false);
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.error().message.find("cluster.assignment_strategy"), std::string::npos) << mixed.error().message;
}



// `move`: placements and members are shared through PostgreSQL (migration 7); a placement
// replaces the previous one of the same account and is forgotten with the account.
TEST_F(AccountFenceTest, PlacementsAndMembersAreShared) {
  auto a = open(std::make_shared<st::AccountFence>("daemon-a"));
  auto b = open(std::make_shared<st::AccountFence>("daemon-b"));
  ASSERT_TRUE(a && b);
  namespace sbc = switchboard::host::cluster;
  ASSERT_TRUE(sbc::recordMember(db(a), "daemon-a", {0, 3}).ok());
  ASSERT_TRUE(sbc::recordMember(db(b), "daemon-b", {1, 4}).ok());
  ASSERT_TRUE(sbc::recordMember(db(b), "daemon-b", {2, 5}).ok());  // reassigned: replaces the row
  auto parts = sbc::memberPartitions(db(a), "daemon-b");
  ASSERT_TRUE(parts.ok()) << parts.error().describe();
  EXPECT_EQ(parts.value(), (std::set<int>{2, 5}));
  auto none = sbc::memberPartitions(db(a), "daemon-z");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  ASSERT_TRUE(sbc::setPlacement(db(a), "acct1", 2, "daemon-b").ok());
  ASSERT_TRUE(sbc::setPlacement(db(a), "acct1", 5, "daemon-b").ok());
  ASSERT_TRUE(sbc::setPlacement(db(a), "acct2", 0, "daemon-a").ok());
  auto seen = sbc::loadPlacements(db(b));
  ASSERT_TRUE(seen.ok()) << seen.error().describe();
  EXPECT_EQ(seen.value(), (sbc::Placements{{"acct1", 5}, {"acct2", 0}}));
  ASSERT_TRUE(sbc::forgetPlacement(db(b), "acct1").ok());
  seen = sbc::loadPlacements(db(a));
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen.value(), (sbc::Placements{{"acct2", 0}}));
}

}  // namespace
