#pragma once

// A pool of SOCI sessions to one database (SQLite or PostgreSQL) with the error boundary: every
// SOCI exception is caught here and turned into an sdk::Error with the right class. A connection
// that lost its server is marked broken and reconnected on its next use, so callers see Retriable
// errors while the database is away and success again once it is back, without restarting.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <typeindex>
#include <unordered_map>
#include <vector>

#include <soci/soci.h>

#include "switchboard/sdk/result.hpp"

namespace switchboard::host::storage {

namespace sdk = ::switchboard::sdk;

class SqliteCheckpointer;
class AccountFence;

enum class Dialect { Sqlite, Postgres };

struct DatabaseOptions {
  std::string url;               // sqlite:///abs/path, sqlite://relative.db, sqlite://:memory:, postgresql://...
  int poolSize = 4;
  std::chrono::milliseconds busyTimeout{5000};
  bool sqliteSynchronousFull = true;
  long long sqliteCacheKiB = 32 * 1024;  // page cache per connection
  std::shared_ptr<AccountFence> fence{};  // scale-out: account writes checked against their owner
};

/// A statement prepared once per connection, with the variables it is bound to.
class PreparedBase {
 public:
  virtual ~PreparedBase() = default;
};

/// One pooled session and the statements prepared on it (dropped on reconnect: a new server
/// session knows none of them).
struct Connection {
  soci::session sql;
  Dialect dialect = Dialect::Sqlite;
  bool broken = false;
  AccountFence* fence = nullptr;  // DatabaseOptions::fence, checked by lockAccounts
  std::unordered_map<std::type_index, std::unique_ptr<PreparedBase>> prepared;

  /// The statement set T, prepared on first use. T is constructible from Connection& or soci::session&.
  template <typename T>
  T& get() {
    auto& slot = prepared[std::type_index(typeid(T))];
    if (!slot) {
      if constexpr (std::is_constructible_v<T, Connection&>) {
        slot = std::make_unique<T>(*this);
      } else {
        slot = std::make_unique<T>(sql);
      }
    }
    return static_cast<T&>(*slot);
  }
};

/// Splits a storage URL into the SOCI backend and its connection string.
struct ParsedUrl {
  Dialect dialect = Dialect::Sqlite;
  std::string connect;           // what soci::session::open gets
  std::string sqlitePath;        // SQLite only; ":memory:" for an in-memory database
  std::string redacted;          // for logs: password removed
};
sdk::Result<ParsedUrl> parseStorageUrl(const std::string& url);

/// Turns a caught exception into an error; marks the connection broken when its server is gone.
sdk::Error classifyException(Connection& conn, const std::exception& e);

class Database {
 public:
  /// Connects every pooled session (fails if any cannot connect).
  static sdk::Result<std::unique_ptr<Database>> open(const DatabaseOptions& options);
  ~Database();

  Dialect dialect() const { return url_.dialect; }
  const ParsedUrl& url() const { return url_; }

  /// Runs fn(Connection&) on a pooled connection; fn returns Result<T> (or throws soci errors,
  /// which are classified). Reconnects a broken connection first.
  template <typename T, typename Fn>
  sdk::Result<T> run(Fn&& fn) {
    Lease lease(*this);
    SB_TRY(lease.ready());
    try {
      return fn(lease.conn());
    } catch (const std::exception& e) {
      return classifyException(lease.conn(), e);
    }
  }

  /// Like run, inside one transaction: committed when fn succeeds, rolled back otherwise.
  /// SQLite takes the write lock up front (BEGIN IMMEDIATE) so two writers never deadlock on
  /// a lock upgrade; the busy timeout makes the second one wait.
  template <typename T, typename Fn>
  sdk::Result<T> transact(Fn&& fn) {
    Lease lease(*this);
    SB_TRY(lease.ready());
    Connection& c = lease.conn();
    bool open = false;
    try {
      c.sql << (c.dialect == Dialect::Sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
      open = true;
      sdk::Result<T> result = fn(c);
      if (!result.ok()) {
        rollback(c);
        return result;
      }
      c.sql << "COMMIT";
      return result;
    } catch (const std::exception& e) {
      sdk::Error err = classifyException(c, e);
      if (open) {
        rollback(c);
      }
      return err;
    }
  }

  /// Is a connection usable right now (SELECT 1)?
  bool ping();

 private:
  struct Slot {
    std::unique_ptr<Connection> conn;
    bool busy = false;
  };
  class Lease {
   public:
    explicit Lease(Database& db);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    sdk::Status ready();
    Connection& conn() { return *db_.slots_[index_].conn; }

   private:
    Database& db_;
    std::size_t index_;
  };

  Database(DatabaseOptions options, ParsedUrl url);
  sdk::Status connect(Connection& conn);
  static void rollback(Connection& c);

  DatabaseOptions options_;
  ParsedUrl url_;
  std::mutex mutex_;
  std::condition_variable freed_;
  // Declared before the slots so the connections that call into it are closed first.
  std::unique_ptr<SqliteCheckpointer> checkpointer_;
  std::vector<Slot> slots_;
};

}  // namespace switchboard::host::storage
