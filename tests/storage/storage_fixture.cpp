#include "storage_fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace switchboard::host::test {

testing::PostgresServer* sharedPostgres() {
  std::string error;
  auto* server = testing::PostgresServer::shared(error);
  if (server == nullptr) {
    ADD_FAILURE() << "cannot start a PostgreSQL server for the PostgreSQL variant of this test: " << error;
  }
  return server;
}

void StorageTest::SetUp() {
  std::string templ = std::string(::testing::TempDir()) + "sb-storage-XXXXXX";
  ASSERT_NE(::mkdtemp(templ.data()), nullptr);
  dir_ = templ;
  keyFile_ = dir_ + "/storage.key";
  if (isPostgres()) {
    auto* pg = sharedPostgres();
    ASSERT_NE(pg, nullptr);
    static std::atomic<int> counter{0};
    database_ = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    std::string error;
    ASSERT_TRUE(pg->createDatabase(database_, error)) << error;
    url_ = pg->url(database_);
  } else {
    url_ = "sqlite://" + dir_ + "/switchboard.db";
  }
}

void StorageTest::TearDown() {
  if (!dir_.empty()) {
    std::string cmd = "rm -rf '" + dir_ + "'";
    (void)std::system(cmd.c_str());
  }
}

sdk::ConfigValue StorageTest::config(sdk::ConfigValue::Map extra) const {
  sdk::ConfigValue::Map m = {
      {"url", sdk::ConfigValue::ofString(url_)},
      {"key_file", sdk::ConfigValue::ofString(keyFile_)},
      {"pool_size", sdk::ConfigValue::ofInt(4)},
      {"connect_retries", sdk::ConfigValue::ofInt(3)},
      {"connect_backoff", sdk::ConfigValue::ofInt(50)},
  };
  for (auto& [k, v] : extra) {
    m[k] = v;
  }
  return sdk::ConfigValue::ofMap(std::move(m));
}

std::shared_ptr<Store> StorageTest::open(sdk::ConfigValue::Map extra) {
  auto store = openStore(config(std::move(extra)));
  EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().describe());
  return store.ok() ? store.value() : nullptr;
}

InboundWrite makeInbound(const std::string& tenant, const std::string& account, const std::string& peerPhone,
                         const std::string& networkId, const std::string& text, std::int64_t ts) {
  InboundWrite w;
  w.message.tenant = tenant;
  w.message.account = account;
  w.message.networkId = networkId;
  w.message.chat = peerPhone + "@s.whatsapp.net";
  w.message.sender = w.message.chat;
  w.message.senderName = "Peer " + peerPhone;
  w.message.timestamp = ts;
  w.message.text = text;
  w.ciphertextHash = "hash-" + networkId;
  w.signal.push_back({SignalWrite::Table::Session, account, peerPhone + ".0", "session-state-" + networkId});
  w.outbox.topic = "inbound";
  w.outbox.ceType = "switchboard.v1.InboundMessage";
  w.outbox.payload = std::string("\x0a\x00\xff", 3) + text;  // binary, with a NUL byte
  w.outbox.createdAtMs = ts;
  return w;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Some suites link this file for its backends and helpers alone, with cases of their own fixture.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StorageTest);

INSTANTIATE_TEST_SUITE_P(Backends, StorageTest, ::testing::Values(Backend::Sqlite, Backend::Postgres),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return p.param == Backend::Sqlite ? std::string("Sqlite") : std::string("Postgres");
                         });

}  // namespace switchboard::host::test
