#include <gtest/gtest.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <filesystem>
#include <thread>

#include "storage/contact_csv.hpp"
#include "storage/database.hpp"
#include "storage/key_sealer.hpp"
#include "storage/phone_number.hpp"
#include "storage/sqlite_checkpointer.hpp"
#include "storage/sqlite_pragmas.hpp"
#include "storage/stable_ids.hpp"
#include "storage/tenant_scope.hpp"

namespace switchboard::host::storage {
namespace {

TEST(PhoneNumber, NormalisesToE164Digits) {
  EXPECT_EQ(normalizePhone("+1 (555) 123-4567"), "15551234567");
  EXPECT_EQ(normalizePhone("0015551234567"), "15551234567");
  EXPECT_EQ(normalizePhone("15551234567:12@s.whatsapp.net"), "15551234567");
  EXPECT_EQ(normalizePhone("055 123 4567"), std::nullopt);  // national: country unknown
  EXPECT_EQ(normalizePhone("+1234"), std::nullopt);
  EXPECT_EQ(normalizePhone("1555123456789012"), std::nullopt);  // 16 digits
  EXPECT_EQ(normalizePhone("1555x1234567"), std::nullopt);
  EXPECT_EQ(phoneFromJid("15551234567@s.whatsapp.net"), "15551234567");
  EXPECT_EQ(phoneFromJid("123456789@lid"), std::nullopt);
  EXPECT_EQ(phoneFromJid("120363000000000001@g.us"), std::nullopt);
}

TEST(StorageUrl, PostgresUriBecomesLibpqKeywords) {
  auto u = parseStorageUrl("postgresql://u%40x:p%20w@[::1]:5433/db?sslmode=disable&application_name=sb");
  ASSERT_TRUE(u.ok()) << u.error().describe();
  EXPECT_EQ(u->dialect, Dialect::Postgres);
  EXPECT_EQ(u->connect, "host='::1' port='5433' dbname='db' user='u@x' password='p w' sslmode='disable'"
                        " application_name='sb'");
  EXPECT_EQ(u->redacted.find("p%20w"), std::string::npos);
  auto plain = parseStorageUrl("postgres://sb@db.example/switchboard");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->connect, "host='db.example' dbname='switchboard' user='sb'");
  auto rel = parseStorageUrl("sqlite://data/sb.db");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ(rel->sqlitePath, "data/sb.db");
  EXPECT_EQ(parseStorageUrl("sqlite:///var/lib/sb.db")->sqlitePath, "/var/lib/sb.db");
  EXPECT_FALSE(parseStorageUrl("sqlite://").ok());
  EXPECT_FALSE(parseStorageUrl("postgresql://h/db?broken").ok());
}

TEST(TenantScopeCheck, RefusesSqlThatIsNotTenantScoped) {
  EXPECT_THROW(TenantScope::check("SELECT * FROM contacts WHERE id = :i"), UnscopedQuery);
  EXPECT_THROW(TenantScope::check("SELECT * FROM contacts"), UnscopedQuery);
  EXPECT_THROW(TenantScope::check("SELECT * FROM contacts WHERE tenant = :t AND id = :i"), UnscopedQuery);
  EXPECT_THROW(TenantScope::check("SELECT * FROM contacts WHERE xtenant = :tenant"), UnscopedQuery);
  EXPECT_THROW(TenantScope::check("SELECT * FROM c WHERE tenant = :tenant OR tenant = :tenant"), UnscopedQuery);
  EXPECT_THROW(TenantScope::check("INSERT INTO contacts (id, tenant) VALUES (:i, :tenant)"), UnscopedQuery);
  EXPECT_EQ(TenantScope::check("SELECT * FROM contacts WHERE tenant = :tenant AND id = :i"), 0u);
  EXPECT_EQ(TenantScope::check("UPDATE contacts SET name = :n WHERE tenant = :tenant AND id = :i"), 1u);
  EXPECT_EQ(TenantScope::check("SELECT 'a:b' FROM c WHERE c.tenant = :tenant"), 0u);
  EXPECT_EQ(TenantScope::check("INSERT INTO contacts (tenant, id) VALUES (:tenant, :i)"), 0u);
}

TEST(KeySealerTest, SealsWithFreshNoncesAndDetectsTampering) {
  auto k = KeySealer::random();
  auto a = k.seal("secret");
  auto b = k.seal("secret");
  EXPECT_NE(a, b);
  EXPECT_EQ(*k.open(a), "secret");
  std::string tampered = a;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(k.open(tampered).ok());
  EXPECT_FALSE(KeySealer::random().open(a).ok());
  EXPECT_FALSE(k.open("plain text").ok());
}

TEST(StableIds, DependOnEveryPartAndItsBoundaries) {
  EXPECT_EQ(conversationIdFor("t", "a", "p"), conversationIdFor("t", "a", "p"));
  EXPECT_NE(conversationIdFor("t", "a", "p"), conversationIdFor("u", "a", "p"));
  EXPECT_NE(stableId("x", {"ab", "c"}), stableId("x", {"a", "bc"}));
  EXPECT_EQ(conversationIdFor("t", "a", "p").rfind("cv_", 0), 0u);
}

TEST(Csv, ParsesQuotesAndLines) {
  std::vector<CsvRow> rows;
  std::string error;
  ASSERT_TRUE(parseCsv("a,b\r\n\"x,\"\"y\"\"\",\"multi\nline\"\n\nlast,row", rows, error));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].cells[0], "x,\"y\"");
  EXPECT_EQ(rows[1].cells[1], "multi\nline");
  EXPECT_EQ(rows[2].line, 5);
  EXPECT_EQ(csvCell("a,b"), "\"a,b\"");
  EXPECT_FALSE(parseCsv("a,\"open", rows, error));
}

}  // namespace
}  // namespace switchboard::host::storage

namespace switchboard::host::storage {
namespace {

TEST(Base64, RoundTripsEveryLengthAndRejectsNonCanonical) {
  std::string bytes;
  for (int n = 0; n < 20; ++n) {
    auto enc = toBase64(bytes);
    EXPECT_EQ(enc.size() % 4, 0u);
    auto dec = fromBase64(enc);
    ASSERT_TRUE(dec.ok()) << n;
    EXPECT_EQ(*dec, bytes);
    bytes += static_cast<char>(n * 37 + 200);
  }
  EXPECT_EQ(toBase64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(toBase64("fo"), "Zm8=");
  EXPECT_FALSE(fromBase64("Zm9=").ok());  // "fo" with stray low bits
  EXPECT_FALSE(fromBase64("Zm8").ok());
  EXPECT_FALSE(fromBase64("Zm!=").ok());
}

}  // namespace
}  // namespace switchboard::host::storage

#include <cstdlib>

#include "storage/storage_config.hpp"
#include "support/postgres_server.hpp"

namespace switchboard::host {
namespace {

TEST(OpenStore, InMemorySqliteNeedsNoFiles) {
  auto store = openStore(sdk::ConfigValue::ofMap({{"url", sdk::ConfigValue::ofString("sqlite://:memory:")}}));
  ASSERT_TRUE(store.ok()) << store.error().describe();
  std::vector<InboundWrite> batch(1);
  batch[0].message.account = "acc";
  batch[0].message.networkId = "W1";
  batch[0].message.chat = "15551112222@s.whatsapp.net";
  batch[0].outbox.topic = "inbound";
  ASSERT_TRUE((*store)->storeInbound(batch).ok());
  EXPECT_EQ(*(*store)->outboxDepth(), 1);
}

TEST(OpenStore, BadUrlIsAPermanentErrorThatSaysWhy) {
  auto store = openStore(sdk::ConfigValue::ofMap({{"url", sdk::ConfigValue::ofString("mysql://x/y")}}));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().cls, sdk::ErrorClass::Permanent);
  EXPECT_NE(store.error().message.find("sqlite:// or postgresql://"), std::string::npos);
  auto pg = openStore(sdk::ConfigValue::ofMap({{"url", sdk::ConfigValue::ofString("postgresql://u@127.0.0.1/db")}}));
  ASSERT_FALSE(pg.ok());
  EXPECT_EQ(pg.error().code, "storage.key_file");  // PostgreSQL needs an explicit key file
}

TEST(OpenStore, SchemaDeclaresTheDocumentedKeys) {
  auto schema = storageConfigSchema();
  std::vector<std::string> names;
  for (const auto& f : schema.fields) {
    names.push_back(f.name);
  }
  for (const char* key : {"url", "key_file", "pool_size", "busy_timeout", "sqlite_synchronous", "connect_retries",
                          "connect_backoff"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), key), names.end()) << key;
  }
}

TEST(PostgresServerHelper, MissingBinariesFailWithASentence) {
  ::setenv("SB_PG_BIN", "/nonexistent/bin", 1);
  std::string error;
  auto pg = switchboard::testing::PostgresServer::start(error);
  ::unsetenv("SB_PG_BIN");
  EXPECT_EQ(pg, nullptr);
  EXPECT_NE(error.find("not found in /nonexistent/bin"), std::string::npos) << error;
}

}  // namespace
}  // namespace switchboard::host

namespace switchboard::host::storage {
namespace {

TEST(SqlitePragmas, WalBusyTimeoutAndDurabilityAsConfigured) {
  std::string dir = ::testing::TempDir() + "sb-pragma-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  for (bool full : {true, false}) {
    DatabaseOptions options;
    options.url = "sqlite://" + dir + (full ? "/full.db" : "/normal.db");
    options.poolSize = 2;
    options.busyTimeout = std::chrono::milliseconds(1234);
    options.sqliteSynchronousFull = full;
    auto db = Database::open(options);
    ASSERT_TRUE(db.ok()) << db.error().describe();
    auto r = (*db)->run<std::vector<std::string>>([](Connection& c) -> sdk::Result<std::vector<std::string>> {
      std::string mode;
      int sync = -1, timeout = -1;
      c.sql << "PRAGMA journal_mode", soci::into(mode);
      c.sql << "PRAGMA synchronous", soci::into(sync);
      c.sql << "PRAGMA busy_timeout", soci::into(timeout);
      return std::vector<std::string>{mode, std::to_string(sync), std::to_string(timeout)};
    });
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ((*r)[0], "wal");
    EXPECT_EQ((*r)[1], full ? "2" : "1");  // FULL = 2, NORMAL = 1
    EXPECT_EQ((*r)[2], "1234");
  }
  std::string cmd = "rm -rf '" + dir + "'";
  (void)std::system(cmd.c_str());
}

// Writes about 60 pages in one transaction on a connection the checkpointer watches.
void writePages(soci::session& sql, int round) {
  sql << "BEGIN IMMEDIATE";
  const std::string blob(1000, static_cast<char>('a' + round));
  for (int i = 0; i < 240; ++i) {
    sql << "INSERT INTO t (v) VALUES (:v)", soci::use(blob);
  }
  sql << "COMMIT";
}

TEST(SqliteCheckpointer, CommitsWakeTheThreadAndABackstopChecksTheWal) {
  std::string dir = ::testing::TempDir() + "sb-ckpt-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/c.db";
  soci::session sql(*soci::factory_sqlite3(), "db=" + path);
  ASSERT_TRUE(applySqlitePragmas(sql, std::chrono::milliseconds(1000), true, 1024).ok());
  sql << "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)";
  auto walFrames = [&] {
    // A PASSIVE checkpoint that finds nothing to copy reports the WAL's frames as done already.
    int busy = 0, log = 0, done = 0;
    sql << "PRAGMA wal_checkpoint(PASSIVE)", soci::into(busy), soci::into(log), soci::into(done);
    return std::pair<int, int>(log, done);
  };
  {
    // Woken past 10 frames: the thread copies the WAL back, the committing connection does not.
    SqliteCheckpointer checkpointer("db=" + path, 10, 1'000'000);
    checkpointer.attach(sql);
    writePages(sql, 0);
    for (int i = 0; i < 500 && checkpointer.checkpoints() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_GE(checkpointer.checkpoints(), 1);
    EXPECT_GT(std::filesystem::file_size(path), 50u * 4096u);  // the pages reached the database file
    // Below the threshold nothing wakes it.
    const auto before = checkpointer.checkpoints();
    sql << "INSERT INTO t (v) VALUES ('small')";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(checkpointer.checkpoints(), before);
  }
  sql << "PRAGMA wal_checkpoint(TRUNCATE)";
  {
    // A thread that is never woken: past the backstop the committing connection checkpoints.
    SqliteCheckpointer idle("db=" + path, 1'000'000, 10);
    idle.attach(sql);
    const auto sizeBefore = std::filesystem::file_size(path);
    writePages(sql, 1);
    EXPECT_EQ(idle.checkpoints(), 0);
    EXPECT_GT(std::filesystem::file_size(path), sizeBefore + 50u * 4096u);
    auto [log, done] = walFrames();
    EXPECT_EQ(log, done);
  }
  sql.close();
  std::string cmd = "rm -rf '" + dir + "'";
  (void)std::system(cmd.c_str());
}

}  // namespace
}  // namespace switchboard::host::storage
