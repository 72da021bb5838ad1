#pragma once

// The relay's database side on threads of its own, so the produce loop never waits on SQL:
// reading the next page of pending rows (and preparing each row for the wire: converting it to
// the deployment's format when it was stored in another), deleting delivered rows, and counting
// the outbox. A slow database and a slow cluster then add up to the slower of the two rather
// than their sum.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "kafka/kafka_metrics.hpp"
#include "storage/store.hpp"

namespace switchboard::host {

class OutboxDbWorker {
 public:
  using Clock = std::chrono::steady_clock;
  struct Page {
    sdk::Status status = sdk::okStatus();
    std::vector<OutboxRecord> rows;
    std::uint64_t generation = 0;
    int limit = 0;
  };
  struct Callbacks {
    std::function<void(OutboxRecord&)> prepare;  // each row read, on the reading thread
    std::function<void()> pageReady;             // a page has arrived (reading thread)
    std::function<void(std::int64_t)> depth;     // the outbox depth, about once a second (reading thread)
  };

  OutboxDbWorker(std::shared_ptr<Store> store, KafkaMetrics& metrics, std::chrono::milliseconds retryBackoff,
                 Callbacks callbacks);
  ~OutboxDbWorker();
  OutboxDbWorker(const OutboxDbWorker&) = delete;
  OutboxDbWorker& operator=(const OutboxDbWorker&) = delete;

  /// Asks for rows with seq > afterSeq. One request at a time: false while one is outstanding.
  bool requestPage(std::int64_t afterSeq, int limit, std::uint64_t generation);
  bool pageOutstanding() const;
  /// The answer to the last request, once it arrived.
  std::optional<Page> takePage();
  /// Hands back the rows of a page that was produced: the next read fills them again, reusing
  /// their buffers (reading then allocates nothing, and memory is freed by the thread that took it).
  void recycle(std::vector<OutboxRecord> rows);
  /// How many handed-back pages are kept for reuse (2 unless set); the rest are freed.
  void keepSpares(std::size_t pages);

  /// Queues delivered rows for deletion (retried until the database takes them).
  void markProduced(std::vector<std::int64_t> seqs);
  /// Queues a move of the produced mark (Store::markProducedUpTo) to `seq`, retried likewise. The
  /// rows at or below it are then deleted in bulk by this worker's marking thread, once the relay
  /// has been quiet for a while or when many of them have piled up.
  void markProducedUpTo(std::int64_t seq);
  /// No deletion or mark queued or running (a bulk purge may still be).
  bool marksSettled() const;
  bool waitMarksSettled(std::chrono::steady_clock::time_point until);

  /// Finishes queued deletions (up to `until`), then stops both threads.
  void stop(std::chrono::steady_clock::time_point until);

 private:
  void readLoop();
  void markLoop();
  void countDepth();
  /// Bulk deletion of produced rows: when the marks have been quiet for kPurgeQuiet, or between
  /// marks once more than kPurgeBacklog seqs wait. Called and returns with `lock` held.
  void purgeIfDue(std::unique_lock<std::mutex>& lock, bool quiet);

  std::shared_ptr<Store> store_;
  KafkaMetrics& metrics_;
  std::chrono::milliseconds retryBackoff_;
  Callbacks callbacks_;
  std::shared_ptr<spdlog::logger> log_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stopDeadline_{};
  struct Request {
    std::int64_t afterSeq = 0;
    int limit = 0;
    std::uint64_t generation = 0;
  };
  std::optional<Request> request_;
  bool reading_ = false;
  std::optional<Page> page_;
  std::vector<std::vector<OutboxRecord>> spares_;  // at most spareLimit_
  std::size_t spareLimit_ = 2;
  std::vector<std::int64_t> marks_;
  bool marking_ = false;
  std::int64_t upToWanted_ = 0;   // the produced mark asked for
  std::int64_t upToWritten_ = 0;  // the produced mark the database holds (as far as we wrote it)
  std::int64_t purgedTo_ = -1;    // every produced row up to here is deleted; -1: not known yet
  Clock::time_point lastMark_{};
  Clock::time_point lastDepth_{};
  // Each touched by its own thread only; logged at stop. CPU time tells a busy database thread
  // from one that waits (for the disk, a lock, or a CPU on a loaded machine).
  Clock::duration readTime_{}, markTime_{};
  double readCpu_ = 0, markCpu_ = 0;
  std::int64_t rowsRead_ = 0, rowsMarked_ = 0, markCalls_ = 0, rowsPurged_ = 0;
  Clock::duration purgeTime_{};
  std::thread reader_;
  std::thread marker_;
};

/// CPU seconds the calling thread has used.
double threadCpuSeconds();

}  // namespace switchboard::host
