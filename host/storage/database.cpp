#include "storage/database.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <mutex>

#include "common/logging.hpp"
#include "storage/account_fence.hpp"
#include "storage/sqlite_checkpointer.hpp"
#include "storage/sqlite_pragmas.hpp"

namespace switchboard::host::storage {

namespace {

constexpr std::string_view kSqlite = "sqlite://";
constexpr std::string_view kPostgres = "postgresql://";
constexpr std::string_view kPostgresShort = "postgres://";

bool startsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// "postgresql://user:secret@host/db" -> "postgresql://user:***@host/db"
std::string redact(const std::string& url) {
  auto scheme = url.find("://");
  auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) {
    return url;
  }
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) {
    return url;
  }
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percentDecode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hexValue(s[i + 1]) >= 0 && hexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(s[i + 1]) * 16 + hexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

void addKeyword(std::string& out, const std::string& key, const std::string& value) {
  if (value.empty()) {
    return;
  }
  if (!out.empty()) {
    out += ' ';
  }
  out += key;
  out += "='";
  for (char c : value) {
    if (c == '\\' || c == '\'') {
      out += '\\';
    }
    out += c;
  }
  out += "'";
}

// SOCI 4.0 splits the connection string on spaces and '=' to pick out its own options, which
// mangles a URI; so the URI becomes libpq's keyword=value form here.
sdk::Result<std::string> postgresKeywords(const std::string& url, std::size_t schemeLen) {
  std::string rest = url.substr(schemeLen);
  std::string query;
  if (auto q = rest.find('?'); q != std::string::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string authority = rest, database;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    authority = rest.substr(0, slash);
    database = rest.substr(slash + 1);
  }
  std::string user, password, hostport = authority;
  if (auto at = authority.rfind('@'); at != std::string::npos) {
    std::string userinfo = authority.substr(0, at);
    hostport = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    user = userinfo.substr(0, colon);
    if (colon != std::string::npos) {
      password = userinfo.substr(colon + 1);
    }
  }
  std::string host = hostport, port;
  if (!hostport.empty() && hostport[0] == '[') {  // [::1]:5432
    auto close = hostport.find(']');
    if (close == std::string::npos) {
      return sdk::Error::permanent("storage.bad_url", "storage.url has an unclosed IPv6 address");
    }
    host = hostport.substr(1, close - 1);
    if (close + 1 < hostport.size() && hostport[close + 1] == ':') {
      port = hostport.substr(close + 2);
    }
  } else if (auto colon = hostport.rfind(':'); colon != std::string::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  std::string out;
  addKeyword(out, "host", percentDecode(host));
  addKeyword(out, "port", port);
  addKeyword(out, "dbname", percentDecode(database));
  addKeyword(out, "user", percentDecode(user));
  addKeyword(out, "password", percentDecode(password));
  std::size_t start = 0;
  while (start < query.size()) {
    auto amp = query.find('&', start);
    std::string pair = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    auto eq = pair.find('=');
    if (eq == std::string::npos) {
      return sdk::Error::permanent("storage.bad_url", "storage.url option \"" + pair + "\" needs a value");
    }
    addKeyword(out, percentDecode(pair.substr(0, eq)), percentDecode(pair.substr(eq + 1)));
    start = amp == std::string::npos ? query.size() : amp + 1;
  }
  return out;
}

}  // namespace

sdk::Result<ParsedUrl> parseStorageUrl(const std::string& url) {
  ParsedUrl out;
  out.redacted = redact(url);
  if (startsWith(url, kSqlite)) {
    // sqlite:///abs/path keeps its leading slash; sqlite://rel.db is relative to the working dir.
    out.dialect = Dialect::Sqlite;
    out.sqlitePath = url.substr(kSqlite.size());
    if (out.sqlitePath.empty()) {
      return sdk::Error::permanent("storage.bad_url", "storage.url \"" + url + "\" names no SQLite file");
    }
    out.connect = "db=" + out.sqlitePath;
    return out;
  }
  if (startsWith(url, kPostgres) || startsWith(url, kPostgresShort)) {
    out.dialect = Dialect::Postgres;
    auto keywords = postgresKeywords(url, startsWith(url, kPostgres) ? kPostgres.size() : kPostgresShort.size());
    SB_TRY(keywords);
    out.connect = std::move(keywords).value();
    return out;
  }
  return sdk::Error::permanent("storage.bad_url", "storage.url \"" + out.redacted +
                                                      "\" must start with sqlite:// or postgresql://");
}

sdk::Error classifyException(Connection& conn, const std::exception& e) {
  const std::string what = e.what();
  if (dynamic_cast<const FencedWrite*>(&e) != nullptr) {
    return sdk::Error::permanent("storage.fenced", what);  // scale-out: another daemon owns the account
  }
  if (dynamic_cast<const soci::soci_error*>(&e) == nullptr) {
    // Not from the database: our own bug (e.g. an unscoped tenant query) or bad input.
    return sdk::Error::permanent("storage.error", what);
  }
  if (const auto* se = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
    switch (se->result() & 0xff) {
      case 5:   // SQLITE_BUSY: another writer holds the lock past the busy timeout
      case 6:   // SQLITE_LOCKED
        return sdk::Error::retriable("storage.busy", "database is locked: " + what);
      case 10:  // SQLITE_IOERR
      case 13:  // SQLITE_FULL
      case 14:  // SQLITE_CANTOPEN
        conn.broken = true;
        return sdk::Error::retriable("storage.unavailable", "database file unavailable: " + what);
      case 11:  // SQLITE_CORRUPT
      case 26:  // SQLITE_NOTADB
        return sdk::Error::fatal("storage.corrupt", "database file is damaged: " + what);
      case 19:  // SQLITE_CONSTRAINT
        return sdk::Error::permanent("storage.constraint", what);
      default:
        return sdk::Error::permanent("storage.error", what);
    }
  }
  if (conn.dialect == Dialect::Postgres) {
    // Whatever the error says, a connection whose socket is gone needs a reconnect, and the
    // caller should try again later.
    bool lost = false;
    try {
      // SOCI's PostgreSQL backend checks PQstatus and pings the server here.
      lost = !conn.sql.is_connected();
    } catch (...) {
      lost = true;
    }
    std::string state;
    if (const auto* pe = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
      state = pe->sqlstate();
    }
    if (lost || state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0) {
      conn.broken = true;
      return sdk::Error::retriable("storage.unavailable", "database connection lost: " + what);
    }
    if (state == "40001" || state == "40P01" || state.rfind("53", 0) == 0 || state == "55P03") {
      return sdk::Error::retriable("storage.busy", what);
    }
    if (state.rfind("23", 0) == 0) {
      return sdk::Error::permanent("storage.constraint", what);
    }
    return sdk::Error::permanent("storage.error", what);
  }
  return sdk::Error::permanent("storage.error", what);
}

sdk::Result<std::unique_ptr<Database>> Database::open(const DatabaseOptions& options) {
  auto url = parseStorageUrl(options.url);
  SB_TRY(url);
  if (url->dialect == Dialect::Sqlite) {
    // A pooled connection is only ever used by the thread that leased it, so SQLite's
    // per-connection mutex (taken by every bind, step and column call: a fifth of the time
    // spent reading the outbox) guards nothing here. Multi-thread mode drops it; without memory
    // statistics, which nothing reads, every allocation inside SQLite also stops taking a global
    // mutex. Both can only be chosen before SQLite initialises; if something initialised it
    // earlier they are refused and the defaults stay, which is merely slower.
    static std::once_flag once;
    std::call_once(once, [] {
      const int threads = sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
      const int memstatus = sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
      if (threads != SQLITE_OK || memstatus != SQLITE_OK) {
        componentLogger("storage")->debug("SQLite was initialised before the store: keeping its default mutexes");
      }
    });
  }
  std::unique_ptr<Database> db(new Database(options, url.value()));
  // An in-memory SQLite database exists per connection: one connection is the whole database.
  std::size_t n = url->sqlitePath == ":memory:" ? 1 : static_cast<std::size_t>(std::max(1, options.poolSize));
  db->slots_.resize(n);
  for (auto& slot : db->slots_) {
    slot.conn = std::make_unique<Connection>();
    slot.conn->dialect = url->dialect;
    SB_TRY(db->connect(*slot.conn));
  }
  if (url->dialect == Dialect::Sqlite && url->sqlitePath != ":memory:") {
    try {
      db->checkpointer_ = std::make_unique<SqliteCheckpointer>(url->connect);
      for (auto& slot : db->slots_) {
        db->checkpointer_->attach(slot.conn->sql);
      }
    } catch (const std::exception& e) {
      // Not fatal: the connections keep SQLite's own automatic checkpoint.
      componentLogger("storage")->warn("no background WAL checkpoints ({}); commits checkpoint themselves",
                                       e.what());
    }
  }
  return db;
}

Database::Database(DatabaseOptions options, ParsedUrl url) : options_(std::move(options)), url_(std::move(url)) {}

Database::~Database() = default;

sdk::Status Database::connect(Connection& conn) {
  conn.prepared.clear();
  conn.fence = options_.fence.get();
  try {
    if (conn.sql.get_backend() != nullptr) {
      conn.sql.close();
    }
    if (url_.dialect == Dialect::Sqlite) {
      conn.sql.open(*soci::factory_sqlite3(), url_.connect);
      SB_TRY(applySqlitePragmas(conn.sql, options_.busyTimeout, options_.sqliteSynchronousFull,
                                options_.sqliteCacheKiB));
      if (checkpointer_) {
        checkpointer_->attach(conn.sql);  // a reconnected session too
      }
    } else {
      conn.sql.open(*soci::factory_postgresql(), url_.connect);
      // NOTICEs ("relation already exists, skipping") would go to stderr through libpq.
      conn.sql << "SET client_min_messages = warning";
    }
    conn.broken = false;
    return sdk::okStatus();
  } catch (const std::exception& e) {
    conn.broken = true;
    return sdk::Error::retriable("storage.unavailable",
                                 "cannot connect to " + url_.redacted + ": " + std::string(e.what()));
  }
}

void Database::rollback(Connection& c) {
  try {
    c.sql << "ROLLBACK";
  } catch (...) {
    // Nothing to undo on a connection that is gone; the server discards the transaction.
    c.broken = c.broken || c.dialect == Dialect::Postgres;
  }
}

bool Database::ping() {
  auto r = run<int>([](Connection& c) -> sdk::Result<int> {
    int one = 0;
    c.sql << "SELECT 1", soci::into(one);
    return one;
  });
  return r.ok();
}

Database::Lease::Lease(Database& db) : db_(db), index_(0) {
  std::unique_lock lock(db_.mutex_);
  for (;;) {
    for (std::size_t i = 0; i < db_.slots_.size(); ++i) {
      if (!db_.slots_[i].busy) {
        db_.slots_[i].busy = true;
        index_ = i;
        return;
      }
    }
    db_.freed_.wait(lock);
  }
}

namespace {

// A cached SELECT that stopped after its first row keeps its statement active, and with it a WAL
// read snapshot: the next BEGIN IMMEDIATE on this connection then fails with SQLITE_BUSY at once
// (waiting cannot help a stale snapshot), and the WAL cannot be checkpointed past it. So every
// statement is reset before the connection goes back to the pool.
void resetSqliteStatements(Connection& c) {
  if (c.dialect != Dialect::Sqlite || c.broken || c.sql.get_backend() == nullptr) {
    return;
  }
  // static_cast: the dialect says which backend this is, and SOCI exports no RTTI for it.
  auto* backend = static_cast<soci::sqlite3_session_backend*>(c.sql.get_backend());
  if (backend->conn_ == nullptr) {
    return;
  }
  for (auto* st = sqlite_api::sqlite3_next_stmt(backend->conn_, nullptr); st != nullptr;
       st = sqlite_api::sqlite3_next_stmt(backend->conn_, st)) {
    if (sqlite_api::sqlite3_stmt_busy(st) != 0) {
      sqlite_api::sqlite3_reset(st);
    }
  }
}

}  // namespace

Database::Lease::~Lease() {
  resetSqliteStatements(conn());
  {
    std::lock_guard lock(db_.mutex_);
    db_.slots_[index_].busy = false;
  }
  db_.freed_.notify_one();
}

sdk::Status Database::Lease::ready() {
  Connection& c = conn();
  if (!c.broken) {
    return sdk::okStatus();
  }
  return db_.connect(c);
}

}  // namespace switchboard::host::storage
