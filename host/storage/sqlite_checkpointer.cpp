#include "storage/sqlite_checkpointer.hpp"

#include <pthread.h>

#include <soci/sqlite3/soci-sqlite3.h>

#include "common/logging.hpp"

namespace switchboard::host::storage {

namespace {

sqlite_api::sqlite3* handleOf(soci::session& sql) {
  // static_cast: only SQLite sessions come here, and SOCI exports no RTTI for its backends.
  return static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_;
}

// The commit hook SQLite calls with the WAL's size after every commit (the write lock released).
int commitHook(void* self, sqlite_api::sqlite3* db, const char* name, int frames) {
  if (static_cast<SqliteCheckpointer*>(self)->afterCommit(frames)) {
    // The thread is not keeping up (or a reader pins old frames): do what SQLite's automatic
    // checkpoint would have done, so the WAL does not grow without bound.
    (void)sqlite_api::sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  return SQLITE_OK;
}

}  // namespace

SqliteCheckpointer::SqliteCheckpointer(const std::string& connect, int wakeFrames, int backstopFrames)
    : wakeFrames_(wakeFrames), backstopFrames_(backstopFrames) {
  session_.open(*soci::factory_sqlite3(), connect);
  // A connection learns that the database is in WAL mode when it first reads it; until then a
  // checkpoint call does nothing at all.
  std::string mode;
  session_ << "PRAGMA journal_mode", soci::into(mode);
  thread_ = std::thread([this] { run(); });
}

SqliteCheckpointer::~SqliteCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void SqliteCheckpointer::attach(soci::session& sql) {
  // Replaces the hook `PRAGMA wal_autocheckpoint` installed: the two are the same mechanism.
  sqlite_api::sqlite3_wal_hook(handleOf(sql), &commitHook, this);
}

bool SqliteCheckpointer::afterCommit(int frames) {
  if (frames >= backstopFrames_) {
    return true;
  }
  if (frames >= wakeFrames_) {
    {
      std::lock_guard lock(mutex_);
      wanted_ = true;
    }
    cv_.notify_one();
  }
  return false;
}

void SqliteCheckpointer::run() {
  pthread_setname_np(pthread_self(), "sb-checkpoint");
  auto log = componentLogger("storage");
  sqlite_api::sqlite3* db = handleOf(session_);
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || wanted_; });
    if (stopping_) {
      return;
    }
    wanted_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, without waiting for any lock. Whatever it
    // leaves is taken by the next round.
    int logFrames = 0, copied = 0;
    const int rc = sqlite_api::sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
      log->warn("background WAL checkpoint failed: {}", sqlite_api::sqlite3_errmsg(db));
    }
    ++checkpoints_;
    lock.lock();
  }
}

}  // namespace switchboard::host::storage
