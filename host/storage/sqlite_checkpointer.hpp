#pragma once

// Copies the SQLite write-ahead log back into the database file on a thread of its own.
//
// SQLite's automatic checkpoint runs inside the COMMIT that crosses the threshold: that writer
// then copies every page of the WAL into the database and fsyncs it before its commit returns,
// which made every few inbound batches several times slower than the rest. Checkpointing here
// instead (PASSIVE: never blocks a writer or a reader) leaves a commit with its own work only,
// the WAL write and its fsync. Each round then restarts the WAL (RESTART, taken only when no
// writer holds the lock, copying what was appended meanwhile), so the WAL file is reused from
// its beginning instead of growing to the backstop. Durability is unchanged: a commit is durable once its WAL frames
// are synced, whoever copies them later. If the thread falls behind, a committing connection
// checkpoints itself past a backstop size, as SQLite would, so the WAL stays bounded.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <soci/soci.h>

namespace switchboard::host::storage {

class SqliteCheckpointer {
 public:
  /// Opens a connection of its own (`connect` as SOCI's sqlite3 backend takes it) and starts.
  /// The thread is woken by a commit that leaves `wakeFrames` or more WAL frames (pages; ~32 MiB
  /// by default, so pages rewritten by consecutive batches are copied once); a commit leaving
  /// `backstopFrames` checkpoints itself. Throws soci errors when the database cannot be opened.
  explicit SqliteCheckpointer(const std::string& connect, int wakeFrames = 8000, int backstopFrames = 40000);
  ~SqliteCheckpointer();
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;

  /// Routes a pooled connection's commits here (replaces SQLite's automatic checkpoint on it).
  void attach(soci::session& sql);

  /// Checkpoints run by the thread so far (tests).
  long long checkpoints() const { return checkpoints_.load(); }
  /// Rounds after which the WAL starts over from its beginning (tests).
  long long restarts() const { return restarts_.load(); }
  /// The commit hook's decision for a WAL of `frames` frames: nothing, wake the thread, or
  /// checkpoint on the committing connection (true).
  bool afterCommit(int frames);

 private:
  void run();

  const int wakeFrames_, backstopFrames_;
  soci::session session_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool wanted_ = false;
  bool stopping_ = false;
  std::atomic<long long> checkpoints_{0};
  std::atomic<long long> restarts_{0};
  std::thread thread_;
};

}  // namespace switchboard::host::storage
