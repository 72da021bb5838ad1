#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "storage/storage_config.hpp"
#include "storage/store.hpp"
#include "support/postgres_server.hpp"

namespace switchboard::host::test {

enum class Backend { Sqlite, Postgres };

/// The PostgreSQL server of this test process, started on first use; fails the test (never
/// skips) when it cannot start.
testing::PostgresServer* sharedPostgres();

/// Every TEST_P runs once per backend, each time on a fresh database.
class StorageTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  bool isPostgres() const { return GetParam() == Backend::Postgres; }
  /// The storage section for this test's database, with `extra` keys on top.
  sdk::ConfigValue config(sdk::ConfigValue::Map extra = {}) const;
  /// openStore on config(); fails the test on error.
  std::shared_ptr<Store> open(sdk::ConfigValue::Map extra = {});

  std::string dir_;      // temp dir of this test (SQLite file, key file)
  std::string url_;
  std::string keyFile_;
  std::string database_; // PostgreSQL database name
};

/// A received message as the connector would store it: one Signal session write, one outbox row.
InboundWrite makeInbound(const std::string& tenant, const std::string& account, const std::string& peerPhone,
                         const std::string& networkId, const std::string& text, std::int64_t ts);

std::string readFile(const std::string& path);

}  // namespace switchboard::host::test
