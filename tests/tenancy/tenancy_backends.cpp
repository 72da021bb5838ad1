#include "tenancy_backends.hpp"

#include <unistd.h>

#include <atomic>
#include <memory>

#include "support/postgres_server.hpp"

namespace switchboard::tenancytest {

std::string backendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::Sqlite ? "Sqlite" : "Postgres";
}

namespace {

testing::PostgresServer* sharedServer() {
  std::string error;
  auto* server = testing::PostgresServer::shared(error);
  if (server == nullptr) {
    ADD_FAILURE() << "cannot start a PostgreSQL server for the PostgreSQL variant of this test: " << error;
  }
  return server;
}

}  // namespace

std::string freshDatabaseUrl(Backend backend, const std::string& dir) {
  if (backend == Backend::Sqlite) {
    return "sqlite://" + dir + "/switchboard.db";
  }
  auto* pg = sharedServer();
  if (pg == nullptr) {
    return "";
  }
  static std::atomic<int> counter{0};
  const std::string name = "tenancy" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  std::string error;
  if (!pg->createDatabase(name, error)) {
    ADD_FAILURE() << "cannot create database " << name << ": " << error;
    return "";
  }
  return pg->url(name);
}

}  // namespace switchboard::tenancytest
