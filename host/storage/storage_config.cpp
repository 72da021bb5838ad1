#include "storage/storage_config.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <thread>

#include "common/logging.hpp"
#include "storage/migrations.hpp"
#include "storage/sql_store.hpp"

namespace switchboard::host {

namespace {

using namespace std::chrono_literals;
namespace field = sdk::field;
using storage::Database;
using storage::DatabaseOptions;
using storage::Dialect;
using storage::KeySealer;

constexpr const char* kDefaultUrl = "sqlite:///var/lib/switchboard/switchboard.db";
constexpr const char* kKeyCheck = "switchboard-key-check";

std::string str(const sdk::ConfigValue& section, const char* key, const std::string& fallback) {
  return section.has(key) && section[key].kind() == sdk::ConfigValue::Kind::String ? section[key].asString()
                                                                                     : fallback;
}
std::int64_t num(const sdk::ConfigValue& section, const char* key, std::int64_t fallback) {
  return section.has(key) ? section[key].asInt(fallback) : fallback;
}
bool flag(const sdk::ConfigValue& section, const char* key, bool fallback) {
  return section.has(key) ? section[key].asBool(fallback) : fallback;
}

bool fileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

// The key file: the configured one, or for SQLite "<database>.key" beside the database.
sdk::Result<std::string> keyPath(const sdk::ConfigValue& section, const storage::ParsedUrl& url) {
  std::string path = str(section, "key_file", "");
  if (!path.empty() || url.sqlitePath == ":memory:") {
    return path;
  }
  if (url.dialect == Dialect::Postgres) {
    return sdk::Error::fatal("storage.key_file",
                             "storage.key_file must be set for PostgreSQL: every daemon sharing the database "
                             "needs the same key");
  }
  return url.sqlitePath + ".key";
}

// Whether the database already holds secrets sealed with some key.
sdk::Result<bool> hasKeyCheck(Database& db) {
  return db.run<bool>([](storage::Connection& c) -> sdk::Result<bool> {
    int n = 0;
    c.sql << "SELECT COUNT(*) FROM storage_meta WHERE name = 'key_check'", soci::into(n);
    return n != 0;
  });
}

// A new database gets a new key file when `create_key_file` allows it; a database that was
// sealed before never silently gets a new key (that would make its secrets unreadable).
sdk::Result<KeySealer> loadKey(const sdk::ConfigValue& section, const std::string& path, Database& db) {
  if (path.empty()) {
    return KeySealer::random();  // in-memory database: nothing outlives the process
  }
  if (fileExists(path)) {
    return KeySealer::fromFile(path);
  }
  auto sealedBefore = hasKeyCheck(db);
  SB_TRY(sealedBefore);
  if (*sealedBefore) {
    return sdk::Error::fatal("storage.key_file", "storage.key_file \"" + path +
                                                     "\" does not exist, but this database holds secrets sealed "
                                                     "with a key: restore the key file");
  }
  if (!flag(section, "create_key_file", true)) {
    return sdk::Error::fatal("storage.key_file", "storage.key_file \"" + path +
                                                     "\" does not exist (and create_key_file is off)");
  }
  componentLogger("storage")->warn("creating a new storage key file={} (keep it: without it the sealed "
                                   "credentials in the database cannot be read)",
                                   path);
  return KeySealer::createFile(path);
}

// A sealed known value in storage_meta tells a wrong key apart from a damaged row, at start.
sdk::Status checkKey(Database& db, const KeySealer& sealer) {
  auto stored = db.run<std::string>([](storage::Connection& c) -> sdk::Result<std::string> {
    std::string v;
    c.sql << "SELECT value FROM storage_meta WHERE name = 'key_check'", soci::into(v);
    return c.sql.got_data() ? v : std::string();
  });
  SB_TRY(stored);
  if (stored->empty()) {
    const std::string sealed = sealer.seal(kKeyCheck);
    auto put = db.run<bool>([&](storage::Connection& c) -> sdk::Result<bool> {
      c.sql << "INSERT INTO storage_meta (name, value) VALUES ('key_check', :v) ON CONFLICT (name) DO NOTHING",
          soci::use(sealed);
      return true;
    });
    SB_TRY(put);
    return sdk::okStatus();
  }
  auto plain = sealer.open(*stored);
  if (!plain.ok() || *plain != kKeyCheck) {
    return sdk::Error::fatal("storage.wrong_key", "storage.key_file does not hold the key this database was "
                                                  "sealed with; refusing to start (restore the right key file)");
  }
  return sdk::okStatus();
}

}  // namespace

sdk::ConfigSchema storageConfigSchema() {
  sdk::ConfigSchema s;
  s.fields = {
      field::string("url",
                    "Database: sqlite:///absolute/path.db, sqlite://relative.db, or "
                    "postgresql://user[:password]@host[:port]/database[?options]",
                    std::string(kDefaultUrl)),
      field::string("key_file",
                    "File with the 32-byte key (raw, or 64 hex chars) that seals device credentials and Signal "
                    "keys. Empty: <database>.key beside a SQLite file; required for PostgreSQL",
                    std::string()),
      field::boolean("create_key_file", "Create a new random key file when the named one does not exist", true),
      field::integer("pool_size", "Database connections kept open", 4).range(1, 64),
      field::duration("busy_timeout", "How long a SQLite writer waits for the lock before giving up", 5000ms)
          .range(0, 600000),
      field::string("sqlite_synchronous",
                    "full: a commit is on disk before WhatsApp is acked (survives power loss). normal: faster, "
                    "survives a process crash but a power cut may lose the last acked messages",
                    std::string("full"))
          .oneOf({"full", "normal"}),
      field::integer("sqlite_cache_mb", "SQLite page cache per pooled connection, in MiB", 32).range(1, 4096),
      field::integer("connect_retries", "Connection attempts at start before giving up (0: keep trying)", 10)
          .atLeast(0),
      field::duration("connect_backoff", "Wait after the first failed attempt; doubles each time", 500ms)
          .range(1, 600000),
      field::duration("connect_backoff_max", "Longest wait between attempts", 30000ms).range(1, 3600000),
  };
  return s;
}

sdk::Result<std::shared_ptr<Store>> openStore(const sdk::ConfigValue& section, std::shared_ptr<storage::AccountFence> fence) {
  auto log = componentLogger("storage");
  DatabaseOptions options;
  options.url = str(section, "url", kDefaultUrl);
  options.poolSize = static_cast<int>(num(section, "pool_size", 4));
  options.busyTimeout = std::chrono::milliseconds(num(section, "busy_timeout", 5000));
  options.sqliteSynchronousFull = str(section, "sqlite_synchronous", "full") != "normal";
  options.sqliteCacheKiB = num(section, "sqlite_cache_mb", 32) * 1024;
  options.fence = std::move(fence);
  const auto retries = num(section, "connect_retries", 10);
  auto backoff = std::chrono::milliseconds(std::max<std::int64_t>(1, num(section, "connect_backoff", 500)));
  const auto backoffMax = std::chrono::milliseconds(num(section, "connect_backoff_max", 30000));

  auto url = storage::parseStorageUrl(options.url);
  SB_TRY(url);
  auto key = keyPath(section, *url);
  SB_TRY(key);

  std::unique_ptr<Database> db;
  for (std::int64_t attempt = 1;; ++attempt) {
    auto opened = Database::open(options);
    if (opened.ok()) {
      db = std::move(opened).value();
      break;
    }
    const sdk::Error& err = opened.error();
    if (!err.isRetriable()) {
      return err;
    }
    if (retries != 0 && attempt >= retries) {
      log->error("cannot connect to the database url={} attempt={}/{}: {}; giving up", url->redacted, attempt,
                 retries, err.message);
      return sdk::Error::retriable("storage.connect_failed", "cannot connect to " + url->redacted + " after " +
                                                                 std::to_string(attempt) +
                                                                 " attempts: " + err.message);
    }
    log->error("cannot connect to the database url={} attempt={}/{}: {}; retrying in {} ms", url->redacted, attempt,
               retries == 0 ? std::string("unlimited") : std::to_string(retries), err.message, backoff.count());
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, backoffMax);
  }

  SB_TRY(storage::migrate(*db));
  auto sealer = loadKey(section, *key, *db);
  SB_TRY(sealer);
  SB_TRY(checkKey(*db, *sealer));
  log->info("storage ready url={} schema_version={} pool_size={}", url->redacted, storage::latestSchemaVersion(),
            options.poolSize);
  auto core = std::make_shared<storage::StoreCore>(storage::StoreCore{std::move(db), std::move(sealer).value()});
  return std::shared_ptr<Store>(std::make_shared<storage::SqlStore>(std::move(core)));
}

}  // namespace switchboard::host
