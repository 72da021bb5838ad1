#pragma once

// Produces outbox rows to Kafka and marks them produced only on a successful delivery report.
// A failed delivery (librdkafka message timeout, purge, fatal idempotence error) is never the end
// of a record: the row stays pending, the producer is re-created and the relay starts again from
// the oldest pending row, so per-key order holds across retries. Memory is bounded by
// max_in_flight; the backlog waits in SQL.

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "kafka/kafka_config.hpp"
#include "kafka/kafka_metrics.hpp"
#include "kafka/outbox_db_worker.hpp"
#include "kafka/rdkafka_util.hpp"
#include "storage/store.hpp"

namespace switchboard::host {

class OutboxRelay {
 public:
  OutboxRelay(KafkaSettings settings, std::string bootstrap, std::shared_ptr<Store> store, KafkaMetrics& metrics);
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  /// Creates the producer (its configuration is checked here) and starts the relay thread.
  sdk::Status start();
  /// Stops fetching, waits up to `deadline` for in-flight deliveries, marks what was delivered.
  /// Whatever is still unacknowledged stays pending in the outbox.
  void stop(std::chrono::milliseconds deadline);
  /// Wakes the relay: new rows are waiting.
  void notify();
  /// True while the outbox holds more than kafka.outbox_limit rows.
  bool overLimit() const { return overLimit_.load(); }

 private:
  struct InFlight {
    std::chrono::steady_clock::time_point producedAt;
    std::int64_t createdAtMs = 0;
  };

  static void deliveryCallback(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  void onDelivery(const rd_kafka_message_t* message);

  sdk::Status createProducer();
  void run();
  void requestPage(bool woken);
  void collectPage();
  void produceBacklog();
  sdk::Status produceOne(const OutboxRecord& record);
  void checkDeliveryTimeout();
  void flushMarks();
  void recover();
  void drain(std::chrono::steady_clock::time_point until);
  void updateDepth();
  bool waitFor(std::chrono::milliseconds d);

  KafkaSettings settings_;
  std::string bootstrap_;
  std::shared_ptr<Store> store_;
  KafkaMetrics& metrics_;
  std::shared_ptr<spdlog::logger> log_;

  RdKafkaPtr producer_;
  std::map<std::string, rd_kafka_topic_t*> topics_;

  // Relay-thread state (delivery callbacks run inside rd_kafka_poll on the relay thread).
  std::map<std::int64_t, InFlight> inFlight_;
  std::deque<OutboxRecord> backlog_;
  std::vector<std::int64_t> toMark_;
  std::int64_t cursor_ = 0;
  bool failed_ = false;
  bool moreWaiting_ = true;
  bool wantPage_ = true;
  std::chrono::steady_clock::time_point lastFetch_{};
  std::chrono::steady_clock::time_point lastDepth_{};
  std::chrono::steady_clock::time_point lastTimeoutScan_{};
  std::chrono::steady_clock::duration tFetch_{}, tProduce_{}, tPoll_{};
  std::uint64_t generation_ = 0;  // Bumped when the relay starts over; older pages are dropped.
  std::unique_ptr<OutboxDbWorker> db_;

  std::mutex mutex_;
  std::condition_variable cv_;
  bool wake_ = false;
  bool pageReady_ = false;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stopDeadline_{};
  std::atomic<bool> overLimit_{false};
  std::thread thread_;
};

}  // namespace switchboard::host
