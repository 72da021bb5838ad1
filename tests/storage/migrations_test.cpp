#include "storage/migrations.hpp"
#include "storage_fixture.hpp"

namespace switchboard::host::test {
namespace {

TEST_P(StorageTest, MigrationsAreRecordedAndForwardOnly) {
  ASSERT_TRUE(open());
  ASSERT_TRUE(open());  // a second start applies nothing and works
  auto db = storage::Database::open({url_, 1});
  ASSERT_TRUE(db.ok()) << db.error().describe();
  auto version = storage::schemaVersion(**db);
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, storage::latestSchemaVersion());

  // A later build adds a migration: it is applied once, on top.
  auto later = storage::knownMigrations();
  later.push_back({storage::latestSchemaVersion() + 1, "test column",
                   {"ALTER TABLE contacts ADD COLUMN nickname TEXT NOT NULL DEFAULT ''"}});
  ASSERT_TRUE(storage::migrate(**db, later).ok());
  ASSERT_TRUE(storage::migrate(**db, later).ok());
  EXPECT_EQ(*storage::schemaVersion(**db), storage::latestSchemaVersion() + 1);

  // This build meets a database from that later build: it refuses to start, and says why.
  auto refused = openStore(config());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "storage.schema_too_new");
  EXPECT_TRUE(refused.error().isFatal());
  EXPECT_NE(refused.error().message.find("newer than this build"), std::string::npos) << refused.error().message;
}

TEST_P(StorageTest, FailedMigrationLeavesNothingBehind) {
  auto db = storage::Database::open({url_, 1});
  ASSERT_TRUE(db.ok());
  auto broken = storage::knownMigrations();
  broken.push_back({storage::latestSchemaVersion() + 1, "broken",
                    {"CREATE TABLE half_done (x INTEGER)", "THIS IS NOT SQL"}});
  ASSERT_FALSE(storage::migrate(**db, broken).ok());
  EXPECT_EQ(*storage::schemaVersion(**db), storage::latestSchemaVersion());
  // The table of the failed migration is gone with it: applying a fixed one works.
  broken.back().statements = {"CREATE TABLE half_done (x INTEGER)"};
  EXPECT_TRUE(storage::migrate(**db, broken).ok());
}

}  // namespace
}  // namespace switchboard::host::test
