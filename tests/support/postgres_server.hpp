#pragma once

// A throwaway PostgreSQL server for tests: Debian's postgresql binaries, a cluster in a temp dir,
// trust auth on a free loopback port, unix sockets in the temp dir. Postgres refuses to run as
// root, so under root the cluster belongs to the `postgres` system user (or `nobody`) and its
// commands run through `runuser -u <user> --`; a non-root user runs them directly.
//
//   std::string error;
//   auto pg = switchboard::testing::PostgresServer::start(error);   // nullptr + error on failure
//   pg->createDatabase("t1", error);
//   pg->url("t1");   // postgresql://postgres@127.0.0.1:PORT/t1
//
// A watchdog process stops the server and removes the cluster if the test process dies without
// running the destructor (a crash, SIGKILL), so no postgres outlives its test.
//
// The binaries are found in $SB_PG_BIN, else the newest /usr/lib/postgresql/*/bin. If none are
// installed, start() fails with a sentence saying so: callers must fail, not skip.

#include <memory>
#include <string>

namespace switchboard::testing {

class PostgresServer {
 public:
  static std::unique_ptr<PostgresServer> start(std::string& error);
  /// One server for the whole test process, started by the first call (a failure is remembered:
  /// every caller gets nullptr and the same error). Lives until the process exits.
  static PostgresServer* shared(std::string& error);
  ~PostgresServer();  // stops the server (immediate) and removes the cluster

  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  /// Connection string for a database of this server.
  std::string url(const std::string& database = "postgres") const;
  /// CREATE DATABASE (drops it first if it exists).
  bool createDatabase(const std::string& name, std::string& error);
  /// Runs one SQL statement in a database.
  bool execute(const std::string& database, const std::string& sql, std::string& error);

  /// Stops the server (fast shutdown: connections are cut) and starts it again on the same port,
  /// for tests of a database that goes away mid-run.
  bool stop(std::string& error);
  bool restart(std::string& error);
  bool running() const { return running_; }

  const std::string& directory() const { return dir_; }

 private:
  PostgresServer() = default;
  bool pgCtl(const std::string& action, std::string& error);

  void startWatchdog();

  std::string bin_, dir_, user_;
  int port_ = 0;
  bool running_ = false;
  int watchdogFd_ = -1;   // closing it (or our death) tells the watchdog to clean up
  int watchdogPid_ = -1;
};

}  // namespace switchboard::testing
