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
#include "kafka/outbox_scope.hpp"
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
  /// Scale-out: produce only the rows `scope` accepts. Set before start(); without one, all rows.
  void setScope(std::shared_ptr<const OutboxScope> scope) { scope_ = std::move(scope); }
  /// Scale-out: returns once every record produced before the call has its delivery report and
  /// the delivered ones are deleted from the outbox, or false at `until`. Called after the scope
  /// shrank, so that the rows' new producer neither repeats nor overtakes them.
  bool settle(std::chrono::steady_clock::time_point until);

 private:
  // A record handed to librdkafka. Records are produced in seq order, so the deque is sorted by
  // seq, its front is the oldest, and a delivery report finds its entry by binary search.
  struct InFlight {
    std::int64_t seq = 0;
    std::chrono::steady_clock::time_point producedAt;
    std::int64_t createdAtMs = 0;
    bool reported = false;
    bool delivered = false;  // reported without an error
  };

  // Delivery reports come as events on the producer's main queue, one per produce request the
  // broker answered (up to batch.num.messages records each): the per-record work is the lookup in
  // inFlight_ alone, the metrics are updated once per event.
  void onReports(rd_kafka_event_t* event);
  void onDelivery(const rd_kafka_message_t* message);
  /// The entry of `seq`, or where it would be (end() or a greater seq) when it is not in flight.
  std::deque<InFlight>::iterator findInFlight(std::int64_t seq);
  void destroyProducer();

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
  void onDepth(std::int64_t depth);
  void pollProducer(int timeoutMs);
  bool waitFor(std::chrono::milliseconds d);
  bool inFlightEmpty() const { return unreported_ == 0; }
  rd_kafka_topic_t* topicHandle(const std::string& logical);
  /// The record's topic, its tenant's own when kafka.tenant_topic_prefixes names it.
  rd_kafka_topic_t* topicHandle(const OutboxRecord& r);

  KafkaSettings settings_;
  std::string bootstrap_;
  std::shared_ptr<Store> store_;
  KafkaMetrics& metrics_;
  std::shared_ptr<spdlog::logger> log_;

  RdKafkaPtr producer_;
  RdQueuePtr reports_;  // the producer's main queue, where its delivery reports arrive
  std::map<std::string, rd_kafka_topic_t*> topics_;
  const std::string* lastTopicName_ = nullptr;  // the last lookup, which nearly every record repeats
  rd_kafka_topic_t* lastTopic_ = nullptr;

  // Relay-thread state (delivery reports are served by pollProducer on the relay thread).
  std::deque<InFlight> inFlight_;
  std::size_t unreported_ = 0;  // entries of inFlight_ still waiting for their delivery report
  // Rows read and not yet produced: whole pages, consumed from `next` on, then handed back to the
  // database thread for reuse. `backlogSize_` counts the rows left in all of them.
  struct BacklogPage {
    std::vector<OutboxRecord> rows;
    std::size_t next = 0;
  };
  std::deque<BacklogPage> backlog_;
  std::size_t backlogSize_ = 0;
  // Pages whose rows were all handed to librdkafka, which reads their payloads in place (no copy)
  // until each row's delivery report. Given back to the database thread only then, or once the
  // producer that held them is destroyed. Each with the seq of its last row.
  std::deque<std::pair<std::int64_t, std::vector<OutboxRecord>>> sentPages_;
  void releaseSentPages(bool all);
  bool backlogEmpty() const { return backlogSize_ == 0; }
  void clearBacklog();
  std::vector<std::int64_t> toMark_;
  // The produced mark (SQLite without a scope: Store::producedMarkSupported): reports leave the
  // front of inFlight_ in seq order, so the last delivered one to leave before any failed one
  // ends a delivered prefix of the outbox. A delivered record behind a failed one is deleted by
  // itself (toMark_), as every record is without the mark.
  bool useMark_ = false;
  bool prefixIntact_ = true;
  std::int64_t producedUpTo_ = 0;
  std::int64_t flushedUpTo_ = 0;
  void leaveFront();
  std::int64_t cursor_ = 0;
  bool failed_ = false;
  bool moreWaiting_ = true;
  bool wantPage_ = true;
  std::chrono::steady_clock::time_point lastFetch_{};
  std::chrono::steady_clock::time_point lastTimeoutScan_{};
  double cpuStart_ = 0;
  std::chrono::steady_clock::duration waitedForPages_{}, waitedForAcks_{};  // logged at stop
  // One report event's tally: its delivered records are counted with one addition, and the
  // latency histograms observe its first delivered record (the oldest of the event's batch).
  std::int64_t eventDelivered_ = 0;
  bool eventSampled_ = false;
  std::chrono::steady_clock::time_point sampleProducedAt_{};
  std::int64_t sampleCreatedAtMs_ = 0;
  std::int64_t producedCount_ = 0;
  std::uint64_t generation_ = 0;  // Bumped when the relay starts over; older pages are dropped.
  std::unique_ptr<OutboxDbWorker> db_;
  // Scale-out (setScope): the scope version the rows held were read under; a new one starts over
  // (rescan_) once what is in flight is reported and marked.
  std::shared_ptr<const OutboxScope> scope_;
  std::uint64_t scopeVersion_ = 0;
  bool rescan_ = false;
  void followScope();
  // settle(): requests are numbered; the relay thread answers the highest one it has seen once
  // every record produced up to settleSeq_ is reported and marked.
  std::uint64_t settleAsked_ = 0;      // guarded by mutex_
  std::uint64_t settleDone_ = 0;       // guarded by mutex_
  std::uint64_t settleTicket_ = 0;     // relay thread: the request being served
  std::int64_t settleSeq_ = 0;         // relay thread
  std::condition_variable settleCv_;
  bool serveSettle();  // true while a request waits

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
