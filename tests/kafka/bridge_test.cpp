// The bridge against the embedded broker, with kcat (Debian's) as the outside world: records from
// the outbox reach `inbound`/`events` with CloudEvents headers, commands produced by kcat are
// stored, answered on `results`, and bad ones land on `dlq` with the reason.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "common/clock.hpp"
#include "common/metrics.hpp"
#include "kafka/envelope.hpp"
#include "kafka/kafka_bridge.hpp"
#include "kafka_test_support.hpp"
#include "switchboard/v1/envelope.pb.h"

namespace switchboard::test {
namespace {

using namespace std::chrono_literals;
using host::Format;

constexpr const char* kAccount = "15550001111";

// One number from the bridge's SQLite database, read on a connection of the test's own; -1 on error.
long long sqliteCount(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  long long out = -1;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
      out = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return out;
}

class KafkaBridgeTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    store_ = openTestStore(dir_.path());
    sink_ = std::make_unique<TestSink>(store_, std::set<std::string>{kAccount});
    bridge_ = std::make_unique<host::KafkaBridge>(kafkaSection(GetParam()), store_, *sink_, metrics_);
    auto status = bridge_->start();
    ASSERT_TRUE(status.ok()) << status.error().describe();
    boot_ = bridge_->bootstrapServers();
    ASSERT_FALSE(boot_.empty());
  }
  void TearDown() override {
    if (bridge_) {
      bridge_->stop(2s);
    }
  }

  Format format() const { return host::parseFormat(GetParam()); }

  v1::Envelope decode(const Record& r) {
    v1::Envelope env;
    EXPECT_TRUE(host::fromWire(r.value, format(), env).ok()) << r.value;
    return env;
  }

  std::string commandBytes(const std::string& id, const std::string& account, const std::string& text) {
    sdk::OutboundCommand c;
    c.commandId = id;
    c.account = account;
    c.to = "15552223333";
    c.text = text;
    return host::encodeCommand(c, format());
  }

  int produceCommand(const std::string& key, const std::string& value) {
    return kcatProduce(boot_, "switchboard.outbound", key, value, {{"content-type", host::contentType(format())}},
                       dir_.path());
  }

  std::vector<v1::Envelope> results(std::size_t count) {
    std::vector<v1::Envelope> out;
    for (const auto& r : kcatConsume(boot_, "switchboard.results", count)) {
      out.push_back(decode(r));
    }
    return out;
  }

  TempDir dir_;
  std::shared_ptr<host::Store> store_;
  std::unique_ptr<TestSink> sink_;
  host::MetricsRegistry metrics_;
  std::unique_ptr<host::KafkaBridge> bridge_;
  std::string boot_;
};

TEST_P(KafkaBridgeTest, OutboxRecordsReachKcatWithHeadersInOrder) {
  std::vector<host::OutboxRecord> records;
  for (int i = 0; i < 30; ++i) {
    sdk::InboundMessage m;
    m.account = kAccount;
    m.id = "msg-" + std::to_string(i);
    m.networkId = "3EB0" + std::to_string(i);
    m.conversation = "conv-" + std::to_string(i % 3);
    m.kind = sdk::MessageKind::Text;
    m.text = "text " + std::to_string(i);
    m.timestamp = host::nowMs();
    // Stored in either format (a deployment that changed kafka.format keeps older rows): each is
    // produced in the deployment's.
    records.push_back(host::inboundRecord(m, i % 2 == 0 ? Format::Protobuf : Format::Json));
  }
  sdk::Event e;
  e.type = "session.state";
  e.account = kAccount;
  e.subject = kAccount;
  e.attributes = {{"state", "open"}};
  e.timestamp = 1;
  ASSERT_TRUE(store_->enqueue(records).ok());
  ASSERT_TRUE(store_->enqueue({host::eventRecord(e, format())}).ok());
  bridge_->notifyOutbox();

  auto got = kcatConsume(boot_, "switchboard.inbound", 30);
  ASSERT_EQ(got.size(), 30u);
  std::map<std::string, int> lastPerKey;
  for (const auto& r : got) {
    auto env = decode(r);
    ASSERT_EQ(env.body_case(), v1::Envelope::kMessage);
    EXPECT_EQ(r.key, env.message().conversation());
    EXPECT_EQ(r.headers.at("ce_id"), env.message().id());
    EXPECT_EQ(r.headers.at("ce_specversion"), "1.0");
    EXPECT_EQ(r.headers.at("ce_type"), "switchboard.v1.InboundMessage");
    EXPECT_EQ(r.headers.at("content-type"), host::contentType(format()));
    EXPECT_EQ(r.headers.at("sb-account"), kAccount);
    EXPECT_EQ(r.headers.at("sb-tenant"), "default");
    EXPECT_EQ(r.headers.at("sb-conversation"), r.key);
    EXPECT_EQ(r.headers.at("ce_source"), std::string("/switchboard/default/") + kAccount);
    EXPECT_EQ(r.headers.at("ce_time").back(), 'Z');
    int n = std::stoi(env.message().id().substr(4));
    EXPECT_EQ(env.message().text(), "text " + std::to_string(n));
    auto it = lastPerKey.find(r.key);
    if (it != lastPerKey.end()) {
      EXPECT_LT(it->second, n) << "out of order within key " << r.key;
    }
    lastPerKey[r.key] = n;
  }
  auto events = kcatConsume(boot_, "switchboard.events", 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(decode(events[0]).event().session_state().state(), "open");
  ASSERT_TRUE(eventually([&] { return store_->outboxDepth().valueOr(-1) == 0; }, 5s));
  EXPECT_EQ(metrics_.value("kafka_produced_total"), 31);
  // SQLite: the 31 delivered rows were recorded as one produced mark, and once the relay was
  // quiet they were deleted in bulk.
  EXPECT_EQ(sqliteCount(dir_.path() + "/switchboard.db", "SELECT upto FROM outbox_produced WHERE id = 1"), 31);
  EXPECT_TRUE(eventually(
      [&] { return sqliteCount(dir_.path() + "/switchboard.db", "SELECT COUNT(*) FROM outbox") == 0; }, 10s));
}

TEST_P(KafkaBridgeTest, CommandFromKcatIsStoredDispatchedAndAccepted) {
  ASSERT_EQ(produceCommand("conv-1", commandBytes("cmd-1", kAccount, "hello")), 0);
  ASSERT_TRUE(eventually([&] { return sink_->dispatched().size() == 1; }, 30s));
  EXPECT_EQ(sink_->dispatched()[0].commandId, "cmd-1");
  EXPECT_EQ(sink_->dispatched()[0].text, "hello");
  auto got = kcatConsume(boot_, "switchboard.results", 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].key, "cmd-1");
  EXPECT_EQ(got[0].headers.at("ce_id"), "cmd-1:accepted");
  EXPECT_EQ(decode(got[0]).result().stage(), v1::RESULT_STAGE_ACCEPTED);
}

TEST_P(KafkaBridgeTest, MalformedAndUnknownAccountCommandsGoToDlqAndTheBridgeGoesOn) {
  const std::string garbage = format() == Format::Json ? std::string("{\"command\": {\"commandId\": ")
                                                       : std::string("\x0a\xff\xff\x07zz", 6);
  ASSERT_EQ(produceCommand("k-bad", garbage), 0);
  ASSERT_EQ(produceCommand("k-unknown", commandBytes("cmd-u", "19999999999", "hi")), 0);
  ASSERT_EQ(produceCommand("k-good", commandBytes("cmd-g", kAccount, "after the bad ones")), 0);

  auto dlq = kcatConsume(boot_, "switchboard.dlq", 2);
  ASSERT_EQ(dlq.size(), 2u);
  std::map<std::string, Record> byKey;
  for (auto& r : dlq) {
    byKey[r.key] = r;
  }
  ASSERT_EQ(byKey.count("k-bad"), 1u);
  const auto& bad = byKey["k-bad"];
  EXPECT_EQ(bad.value, garbage);  // byte for byte
  EXPECT_EQ(bad.headers.at("sb-dlq-code"), "command.malformed");
  EXPECT_FALSE(bad.headers.at("sb-dlq-reason").empty());
  EXPECT_EQ(bad.headers.at("sb-dlq-stage"), "parse");
  EXPECT_EQ(bad.headers.at("sb-dlq-topic"), "switchboard.outbound");
  EXPECT_GE(std::stoll(bad.headers.at("sb-dlq-offset")), 0);
  EXPECT_GE(std::stoi(bad.headers.at("sb-dlq-partition")), 0);
  EXPECT_EQ(bad.headers.at("ce_type"), "switchboard.v1.DeadLetter");

  ASSERT_EQ(byKey.count("k-unknown"), 1u);
  const auto& unknown = byKey["k-unknown"];
  EXPECT_EQ(unknown.headers.at("sb-dlq-code"), "command.unknown_account");
  EXPECT_NE(unknown.headers.at("sb-dlq-reason").find("19999999999"), std::string::npos);
  EXPECT_EQ(unknown.headers.at("sb-dlq-stage"), "validate");

  ASSERT_TRUE(eventually([&] { return sink_->dispatched().size() == 1; }, 30s));
  EXPECT_EQ(sink_->dispatched()[0].commandId, "cmd-g");
  EXPECT_EQ(metrics_.value("kafka_dead_lettered_total"), 2);
}

TEST_P(KafkaBridgeTest, DuplicateCommandIdHasExactlyOneEffect) {
  ASSERT_EQ(produceCommand("conv-1", commandBytes("cmd-dup", kAccount, "first")), 0);
  ASSERT_EQ(produceCommand("conv-1", commandBytes("cmd-dup", kAccount, "first")), 0);
  ASSERT_EQ(produceCommand("conv-2", commandBytes("cmd-dup", kAccount, "same id, other text")), 0);
  ASSERT_EQ(produceCommand("conv-1", commandBytes("cmd-next", kAccount, "marker")), 0);
  // The marker shows every earlier record was consumed.
  ASSERT_TRUE(eventually(
      [&] {
        for (const auto& c : sink_->dispatched()) {
          if (c.commandId == "cmd-next") {
            return true;
          }
        }
        return false;
      },
      30s));
  ASSERT_TRUE(eventually([&] { return metrics_.value("kafka_consumed_total") == 4; }, 10s));
  int dupDispatches = 0;
  for (const auto& c : sink_->dispatched()) {
    dupDispatches += c.commandId == "cmd-dup" ? 1 : 0;
    if (c.commandId == "cmd-dup") {
      EXPECT_EQ(c.text, "first");
    }
  }
  EXPECT_EQ(dupDispatches, 1);
  EXPECT_EQ(metrics_.value("kafka_commands_duplicate_total"), 2);
  // Results: one accepted per distinct command; ask for one more than expected to see none extra.
  auto got = kcatConsume(boot_, "switchboard.results", 3, 8);
  ASSERT_EQ(got.size(), 2u);
  std::set<std::string> ids;
  for (const auto& r : got) {
    ids.insert(r.headers.at("ce_id"));
  }
  EXPECT_EQ(ids, (std::set<std::string>{"cmd-dup:accepted", "cmd-next:accepted"}));
}

INSTANTIATE_TEST_SUITE_P(Formats, KafkaBridgeTest, ::testing::Values("json", "protobuf"));

}  // namespace
}  // namespace switchboard::test
