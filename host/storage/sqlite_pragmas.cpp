#include "storage/sqlite_pragmas.hpp"

#include <string>

namespace switchboard::host::storage {

namespace sdk = ::switchboard::sdk;

sdk::Status applySqlitePragmas(soci::session& sql, std::chrono::milliseconds busyTimeout, bool synchronousFull,
                              long long cacheKiB) {
  // The busy timeout first: switching to WAL itself needs the lock another process may hold.
  sql << "PRAGMA busy_timeout = " + std::to_string(busyTimeout.count());
  std::string mode;
  sql << "PRAGMA journal_mode = WAL", soci::into(mode);
  if (mode != "wal" && mode != "memory") {
    return sdk::Error::fatal("storage.sqlite_wal", "SQLite refused WAL mode (journal_mode is \"" + mode + "\")");
  }
  // FULL: a commit is on disk before we ack WhatsApp, so even a power cut loses nothing acked.
  // NORMAL survives a crash of the process but may lose the last commits on a power cut.
  sql << std::string("PRAGMA synchronous = ") + (synchronousFull ? "FULL" : "NORMAL");
  // Keep temporary b-trees (sorts, IN lists) in memory; they are small.
  sql << "PRAGMA temp_store = MEMORY";
  // Message ids and ciphertext hashes are random, so index inserts touch pages all over the file:
  // a page cache that holds the hot indexes, and reads through mmap rather than read(2) copies,
  // keep the batched path from re-reading pages it just wrote (measured: about 2x at 2000/batch).
  sql << "PRAGMA cache_size = -" + std::to_string(cacheKiB);
  sql << "PRAGMA mmap_size = 268435456";
  // A batch of a few thousand messages dirties more than the default 1000-page checkpoint
  // threshold, which made every commit also copy the WAL back into the database. Checkpointing
  // every ~40 MiB of WAL lets pages rewritten by consecutive batches be copied back once. (Used
  // only where the background checkpointer, sqlite_checkpointer.hpp, could not start.)
  sql << "PRAGMA wal_autocheckpoint = 10000";
  // After a burst the WAL file is cut back to this size when it restarts, not kept at its peak.
  sql << "PRAGMA journal_size_limit = 67108864";
  return sdk::okStatus();
}

}  // namespace switchboard::host::storage
