#include "kafka/outbox_db_worker.hpp"

#include "common/logging.hpp"

namespace switchboard::host {

using Clock = std::chrono::steady_clock;

OutboxDbWorker::OutboxDbWorker(std::shared_ptr<Store> store, KafkaMetrics& metrics,
                               std::chrono::milliseconds retryBackoff, std::function<void()> ready)
    : store_(std::move(store)),
      metrics_(metrics),
      retryBackoff_(retryBackoff),
      ready_(std::move(ready)),
      log_(componentLogger("kafka")),
      reader_([this] { readLoop(); }),
      marker_([this] { markLoop(); }) {}

OutboxDbWorker::~OutboxDbWorker() { stop(Clock::now()); }

bool OutboxDbWorker::requestPage(std::int64_t afterSeq, int limit, std::uint64_t generation) {
  {
    std::lock_guard lock(mutex_);
    if (request_ || reading_ || page_) {
      return false;
    }
    request_ = Request{afterSeq, limit, generation};
  }
  cv_.notify_all();
  return true;
}

bool OutboxDbWorker::pageOutstanding() const {
  std::lock_guard lock(mutex_);
  return request_.has_value() || reading_ || page_.has_value();
}

std::optional<OutboxDbWorker::Page> OutboxDbWorker::takePage() {
  std::lock_guard lock(mutex_);
  auto out = std::move(page_);
  page_.reset();
  return out;
}

void OutboxDbWorker::markProduced(std::vector<std::int64_t> seqs) {
  if (seqs.empty()) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    marks_.insert(marks_.end(), seqs.begin(), seqs.end());
  }
  cv_.notify_all();
}

bool OutboxDbWorker::marksSettled() const {
  std::lock_guard lock(mutex_);
  return marks_.empty() && !marking_;
}

bool OutboxDbWorker::waitMarksSettled(Clock::time_point until) {
  std::unique_lock lock(mutex_);
  return cv_.wait_until(lock, until, [this] { return marks_.empty() && !marking_; });
}

void OutboxDbWorker::stop(Clock::time_point until) {
  {
    std::lock_guard lock(mutex_);
    if (!reader_.joinable()) {
      return;
    }
    stopping_ = true;
    stopDeadline_ = until;
  }
  cv_.notify_all();
  reader_.join();
  marker_.join();
  log_->info("outbox database time reading_ms={} marking_ms={} mark_calls={}",
             std::chrono::duration_cast<std::chrono::milliseconds>(readTime_).count(),
             std::chrono::duration_cast<std::chrono::milliseconds>(markTime_).count(), markCalls_);
}

void OutboxDbWorker::readLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || request_.has_value(); });
    if (stopping_) {
      return;
    }
    Request r = *request_;
    request_.reset();
    reading_ = true;
    lock.unlock();
    auto t0 = Clock::now();
    Page page{store_->pendingOutbox(r.afterSeq, r.limit), r.generation, r.limit};
    readTime_ += Clock::now() - t0;
    if (!page.rows.ok()) {
      metrics_.storeErrors.inc();
      log_->warn("cannot read the outbox: {}", page.rows.error().describe());
    }
    lock.lock();
    reading_ = false;
    page_ = std::move(page);
    lock.unlock();
    ready_();
    lock.lock();
  }
}

void OutboxDbWorker::markLoop() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return stopping_ || !marks_.empty(); });
    if (marks_.empty()) {
      return;  // stopping, nothing left
    }
    if (stopping_ && Clock::now() > stopDeadline_) {
      log_->warn("{} delivered outbox rows not marked at shutdown; they will be produced again", marks_.size());
      return;
    }
    std::vector<std::int64_t> batch;
    batch.swap(marks_);
    marking_ = true;
    lock.unlock();
    auto t0 = Clock::now();
    auto status = store_->markProduced(batch);
    markTime_ += Clock::now() - t0;
    ++markCalls_;
    lock.lock();
    marking_ = false;
    if (!status.ok()) {
      // Not marking only risks duplicates; keep the rows and try again after a pause.
      metrics_.storeErrors.inc();
      log_->warn("cannot mark {} outbox rows produced: {}", batch.size(), status.error().describe());
      marks_.insert(marks_.begin(), batch.begin(), batch.end());
      cv_.wait_for(lock, retryBackoff_, [this] { return stopping_; });
    }
    cv_.notify_all();
  }
}

}  // namespace switchboard::host
