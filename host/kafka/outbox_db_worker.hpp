#pragma once

// The relay's database side on threads of its own: reading the next page of pending rows and
// deleting delivered ones overlap with producing, so a slow database and a slow cluster add up
// to the slower of the two rather than their sum.

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
    sdk::Result<std::vector<OutboxRecord>> rows = std::vector<OutboxRecord>{};
    std::uint64_t generation = 0;
    int limit = 0;
  };

  /// `ready` is called (from a worker thread) when a page has arrived.
  OutboxDbWorker(std::shared_ptr<Store> store, KafkaMetrics& metrics, std::chrono::milliseconds retryBackoff,
                 std::function<void()> ready);
  ~OutboxDbWorker();
  OutboxDbWorker(const OutboxDbWorker&) = delete;
  OutboxDbWorker& operator=(const OutboxDbWorker&) = delete;

  /// Asks for rows with seq > afterSeq. One request at a time: false while one is outstanding.
  bool requestPage(std::int64_t afterSeq, int limit, std::uint64_t generation);
  bool pageOutstanding() const;
  /// The answer to the last request, once it arrived.
  std::optional<Page> takePage();

  /// Queues delivered rows for deletion (retried until the database takes them).
  void markProduced(std::vector<std::int64_t> seqs);
  /// No deletion queued or running.
  bool marksSettled() const;
  bool waitMarksSettled(std::chrono::steady_clock::time_point until);

  /// Finishes queued deletions (up to `until`), then stops both threads.
  void stop(std::chrono::steady_clock::time_point until);

 private:
  void readLoop();
  void markLoop();

  std::shared_ptr<Store> store_;
  KafkaMetrics& metrics_;
  std::chrono::milliseconds retryBackoff_;
  std::function<void()> ready_;
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
  std::vector<std::int64_t> marks_;
  bool marking_ = false;
  Clock::duration readTime_{}, markTime_{};  // Each touched by its own thread only.
  std::int64_t markCalls_ = 0;
  std::thread reader_;
  std::thread marker_;
};

}  // namespace switchboard::host
