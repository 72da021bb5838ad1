// The background checkpointer keeps the WAL file small under a steady writer: each round ends
// with a RESTART, taken in a pause between two transactions, so the next commit writes from the
// WAL's beginning again instead of appending to an ever longer file (in bench_storage it grew to
// the 160 MiB backstop before, every frame written to a newly allocated part of the file).

#include <gtest/gtest.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "storage/sqlite_checkpointer.hpp"
#include "storage/sqlite_pragmas.hpp"

namespace switchboard::host::storage {
namespace {

constexpr int kRounds = 150;
constexpr int kRowsPerRound = 240;  // about 60 pages of 4 KiB

TEST(SqliteCheckpointer, RestartsTheWalUnderASteadyWriter) {
  std::string dir = ::testing::TempDir() + "sb-ckpt-restart-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/c.db";
  const std::string wal = path + "-wal";
  {
    soci::session sql(*soci::factory_sqlite3(), "db=" + path);
    ASSERT_TRUE(applySqlitePragmas(sql, std::chrono::milliseconds(5000), true, 1024).ok());
    sql << "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)";
    // Woken past 600 frames (about 10 rounds); no backstop, so only the thread bounds the WAL.
    SqliteCheckpointer checkpointer("db=" + path, 600, 1'000'000);
    checkpointer.attach(sql);
    const std::string blob(1000, 'x');
    std::uintmax_t largest = 0;
    for (int round = 0; round < kRounds; ++round) {
      sql << "BEGIN IMMEDIATE";
      for (int i = 0; i < kRowsPerRound; ++i) {
        sql << "INSERT INTO t (v) VALUES (:v)", soci::use(blob);
      }
      sql << "COMMIT";
      // A pipeline prepares its next batch between two transactions (decryption, encoding).
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      largest = std::max(largest, std::filesystem::file_size(wal));
    }
    const std::uintmax_t written = static_cast<std::uintmax_t>(kRounds) * 60u * 4120u;
    EXPECT_GE(checkpointer.restarts(), 1);
    // The file keeps its largest size (restarting overwrites it from the start); never restarted,
    // it would hold every frame written (about 37 MiB).
    EXPECT_LT(largest, written / 3) << "largest WAL " << largest << " bytes of " << written << " written";
    int count = 0;
    sql << "SELECT COUNT(*) FROM t", soci::into(count);
    EXPECT_EQ(count, kRounds * kRowsPerRound);
  }
  std::string cmd = "rm -rf '" + dir + "'";
  (void)std::system(cmd.c_str());
}

}  // namespace
}  // namespace switchboard::host::storage
