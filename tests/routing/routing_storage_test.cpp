// What routing asks of the SQL store (SDK 1.1), on SQLite and on a throwaway PostgreSQL: claims
// under many threads never push an agent past capacity nor give one conversation to two agents;
// the assignment history carries the customer's first words; response times are measured from
// customer turns to human replies.

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "storage/storage_config.hpp"
#include "storage/store.hpp"
#include "support/postgres_server.hpp"

namespace sb = switchboard::sdk;
using switchboard::host::InboundWrite;
using switchboard::host::Store;

namespace {

enum class Backend { Sqlite, Postgres };

switchboard::testing::PostgresServer* postgres() {
  static std::string error;
  static auto server = switchboard::testing::PostgresServer::start(error);
  if (!server) {
    ADD_FAILURE() << "cannot start PostgreSQL: " << error;
  }
  return server.get();
}

class RoutingStorage : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const auto name = "routing" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    dir_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::create_directories(dir_);
    std::string url = "sqlite://" + (dir_ / "db.sqlite").string();
    if (GetParam() == Backend::Postgres) {
      auto* pg = postgres();
      ASSERT_NE(pg, nullptr);
      std::string error;
      ASSERT_TRUE(pg->createDatabase(name, error)) << error;
      url = pg->url(name);
    }
    sb::ConfigValue::Map m{{"url", sb::ConfigValue::ofString(url)},
                           {"key_file", sb::ConfigValue::ofString((dir_ / "key").string())},
                           {"pool_size", sb::ConfigValue::ofInt(8)},
                           {"busy_timeout", sb::ConfigValue::ofInt(10000)}};
    auto store = switchboard::host::openStore(sb::ConfigValue::ofMap(std::move(m)));
    ASSERT_TRUE(store.ok()) << store.error().describe();
    store_ = store.value();
    tenant_ = store_->tenant("default");
  }
  void TearDown() override {
    tenant_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // One customer message; returns its conversation id.
  std::string receive(const std::string& peer, const std::string& text, sb::TimestampMs ts, bool fromMe = false) {
    std::vector<InboundWrite> batch(1);
    auto& m = batch[0].message;
    m.account = "15550001";
    m.networkId = "net-" + std::to_string(++seq_);
    m.chat = peer + "@s.whatsapp.net";
    m.sender = fromMe ? "15550001@s.whatsapp.net" : m.chat;
    m.fromMe = fromMe;
    m.timestamp = ts;
    m.text = text;
    batch[0].outbox.topic = "inbound";
    auto stored = store_->storeInbound(batch);
    EXPECT_TRUE(stored.ok()) << stored.error().describe();
    return stored.ok() ? stored.value()[0].conversation : "";
  }

  void reply(const std::string& conversation, const std::string& peer, sb::TimestampMs ts, bool automatic) {
    sb::OutboundCommand c;
    c.commandId = "cmd-" + std::to_string(++seq_);
    c.account = "15550001";
    c.kind = sb::CommandKind::SendText;
    c.to = peer;
    c.conversation = conversation;
    c.text = "answer";
    c.automatic = automatic;
    c.createdAt = ts;
    auto stored = store_->storeCommand(c, "");
    ASSERT_TRUE(stored.ok()) << stored.error().describe();
  }

  void addAgent(const std::string& id, int capacity) {
    sb::Agent a;
    a.id = id;
    a.capacity = capacity;
    a.status = sb::AgentStatus::Available;
    ASSERT_TRUE(tenant_->upsertAgent(a).ok());
  }

  std::filesystem::path dir_;
  std::shared_ptr<Store> store_;
  std::shared_ptr<sb::TenantStorage> tenant_;
  int seq_ = 0;
};

}  // namespace

TEST_P(RoutingStorage, ConcurrentClaimsNeverExceedCapacity) {
  const std::vector<std::string> agents{"a1", "a2", "a3"};
  for (const auto& a : agents) {
    addAgent(a, 3);
  }
  std::vector<std::string> conversations;
  for (int i = 0; i < 40; ++i) {
    conversations.push_back(receive("1555010" + std::to_string(1000 + i), "hello", 1'700'000'000'000 + i));
  }
  std::atomic<std::size_t> next{0};
  std::atomic<int> wins{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      for (std::size_t i = next++; i < conversations.size(); i = next++) {
        auto order = agents;
        std::shuffle(order.begin(), order.end(), rng);
        for (const auto& a : order) {
          auto r = tenant_->claimConversation(conversations[i], a);
          if (!r.ok()) {
            ++errors;
            break;
          }
          if (r.value()) {
            ++wins;
            break;
          }
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(wins.load(), 9) << "three agents of capacity three";
  auto listed = tenant_->listAgents();
  ASSERT_TRUE(listed.ok());
  for (const auto& a : listed.value()) {
    EXPECT_EQ(a.openConversations, 3) << a.id;
  }
  // A closed conversation frees its place.
  sb::ConversationFilter f;
  f.assignee = "a1";
  auto held = tenant_->listConversations(f);
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held.value().size(), 3u);
  ASSERT_TRUE(tenant_->setConversationStatus(held.value()[0].id, sb::ConversationStatus::Closed).ok());
  auto unassigned = std::find_if(conversations.begin(), conversations.end(), [&](const std::string& id) {
    return tenant_->getConversation(id).value()->assignee.empty();
  });
  ASSERT_NE(unassigned, conversations.end());
  EXPECT_TRUE(tenant_->claimConversation(*unassigned, "a1").value());
  EXPECT_FALSE(tenant_->claimConversation(held.value()[0].id, "a2").value()) << "closed: not claimable";
}

TEST_P(RoutingStorage, OneConversationClaimedByManyAgentsAtOnceGoesToOne) {
  for (int i = 0; i < 8; ++i) {
    addAgent("agent" + std::to_string(i), 10);
  }
  for (int round = 0; round < 5; ++round) {
    const auto conv = receive("1555020" + std::to_string(1000 + round), "hi", 1'700'000'000'000 + round);
    std::atomic<int> wins{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        auto r = tenant_->claimConversation(conv, "agent" + std::to_string(t));
        ASSERT_TRUE(r.ok()) << r.error().describe();
        wins += r.value() ? 1 : 0;
      });
    }
    for (auto& th : threads) {
      th.join();
    }
    EXPECT_EQ(wins.load(), 1) << "round " << round;
    const auto owner = tenant_->getConversation(conv).value()->assignee;
    EXPECT_TRUE(tenant_->claimConversation(conv, owner).value()) << "claiming what one holds is a success";
  }
  auto missing = tenant_->claimConversation("no-such-conversation", "agent0");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "storage.not_found");
}

TEST_P(RoutingStorage, AssignmentHistoryCarriesTheFirstCustomerWords) {
  addAgent("ana", 10);
  addAgent("bo", 10);
  const auto t0 = 1'700'000'000'000LL;
  const auto c1 = receive("15550301000", "my invoice is wrong", t0);
  receive("15550301000", "charged twice", t0 + 1000);
  receive("15550301000", "third message", t0 + 2000);
  receive("15550301000", "sent from our phone", t0 + 1500, true);
  const auto c2 = receive("15550302000", "password reset please", t0 + 5000);
  const auto c3 = receive("15550303000", "never assigned", t0 + 6000);
  ASSERT_TRUE(tenant_->assignConversation(c1, "ana").ok());
  ASSERT_TRUE(tenant_->assignConversation(c2, "bo").ok());
  ASSERT_TRUE(tenant_->setConversationStatus(c1, sb::ConversationStatus::Closed).ok());

  auto history = tenant_->listAssignedConversations(0, 100, 2);
  ASSERT_TRUE(history.ok()) << history.error().describe();
  ASSERT_EQ(history.value().size(), 2u);
  EXPECT_EQ(history.value()[0].id, c2) << "newest first";
  EXPECT_EQ(history.value()[0].agent, "bo");
  EXPECT_FALSE(history.value()[0].closed);
  EXPECT_EQ(history.value()[1].agent, "ana");
  EXPECT_TRUE(history.value()[1].closed);
  EXPECT_EQ(history.value()[1].text, "my invoice is wrong\ncharged twice") << "customer's first two, not ours";
  auto recent = tenant_->listAssignedConversations(t0 + 4000, 100, 2);
  ASSERT_TRUE(recent.ok());
  ASSERT_EQ(recent.value().size(), 1u);
  EXPECT_EQ(recent.value()[0].id, c2);
  (void)c3;
}

TEST_P(RoutingStorage, ResponseTimesFromCustomerTurnsToHumanReplies) {
  addAgent("ana", 10);
  addAgent("bo", 10);
  const auto t0 = 1'700'000'000'000LL;
  const std::string p1 = "15550401000", p2 = "15550402000";
  const auto c1 = receive(p1, "hello", t0);
  reply(c1, p1, t0 + 1000, true);           // the bot's greeting does not count
  receive(p1, "anyone?", t0 + 30'000);      // same turn
  reply(c1, p1, t0 + 60'000, false);        // 60 s
  receive(p1, "thanks, one more thing", t0 + 100'000);
  receive(p1, "ok", t0 + 110'000, true);    // typed on the account's phone: 10 s
  const auto c2 = receive(p2, "hi", t0 + 200'000);
  reply(c2, p2, t0 + 230'000, false);       // 30 s
  ASSERT_TRUE(tenant_->assignConversation(c1, "ana").ok());
  ASSERT_TRUE(tenant_->assignConversation(c2, "bo").ok());

  auto stats = tenant_->agentResponseStats(0, 100);
  ASSERT_TRUE(stats.ok()) << stats.error().describe();
  ASSERT_EQ(stats.value().size(), 2u);
  EXPECT_EQ(stats.value()[0].agent, "ana");
  EXPECT_EQ(stats.value()[0].samples, 2);
  EXPECT_DOUBLE_EQ(stats.value()[0].averageResponseMs, 35'000);
  EXPECT_EQ(stats.value()[1].agent, "bo");
  EXPECT_DOUBLE_EQ(stats.value()[1].averageResponseMs, 30'000);
}

INSTANTIATE_TEST_SUITE_P(Backends, RoutingStorage, ::testing::Values(Backend::Sqlite, Backend::Postgres),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return p.param == Backend::Sqlite ? std::string("Sqlite") : std::string("Postgres");
                         });
