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

namespace {

constexpr int kRestartAttempts = 20;
constexpr std::chrono::milliseconds kRestartRetry{2};
constexpr int kSmallResidue = 256;  // frames (1 MiB): what RESTART may copy holding the write lock
constexpr int kPassiveRounds = 4;

// One round of the thread; true when the WAL will start over at the next write.
bool checkpointOnce(sqlite_api::sqlite3* db, spdlog::logger& log) {
  // PASSIVE: copies what no reader still needs, without waiting for any lock; the writers go on
  // appending meanwhile. Frames appended during a long pass are copied by another one.
  int logFrames = 0, copied = 0;
  int rc = SQLITE_OK;
  for (int pass = 0; rc == SQLITE_OK && pass < kPassiveRounds; ++pass) {
    rc = sqlite_api::sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied);
    if (logFrames - copied <= kSmallResidue) {
      break;
    }
  }
  // A WAL that is only ever copied while writers append never restarts from its beginning: it
  // grew to the backstop (160 MiB), every frame written to a newly allocated part of the file,
  // and then the committing caller copied it all. RESTART copies what is left while holding the
  // write lock (a writer waits meanwhile, so it is tried only when little is left), after which
  // the next writer starts the WAL over and overwrites pages the file already has. This
  // connection has no busy handler, so RESTART takes the lock only if it is free now (between
  // two batches it is); when it is not, it copies like PASSIVE and a short retry follows.
  for (int attempt = 0; rc == SQLITE_OK && attempt < kRestartAttempts; ++attempt) {
    const int mode = logFrames - copied <= kSmallResidue ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE;
    rc = sqlite_api::sqlite3_wal_checkpoint_v2(db, nullptr, mode, &logFrames, &copied);
    if (rc == SQLITE_OK && mode == SQLITE_CHECKPOINT_RESTART) {
      return true;
    }
    if (rc == SQLITE_BUSY || rc == SQLITE_OK) {
      rc = SQLITE_OK;  // a writer or reader was active, or too much was left: try again shortly
      std::this_thread::sleep_for(kRestartRetry);
    }
  }
  if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
    log.warn("background WAL checkpoint failed: {}", sqlite_api::sqlite3_errmsg(db));
  }
  return false;
}

}  // namespace

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
    if (checkpointOnce(db, *log)) {
      ++restarts_;
    }
    ++checkpoints_;
    lock.lock();
  }
}

}  // namespace switchboard::host::storage
