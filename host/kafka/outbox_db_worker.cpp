#include "kafka/outbox_db_worker.hpp"

#include <pthread.h>

#include <algorithm>
#include <ctime>

#include "common/logging.hpp"

namespace switchboard::host {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {
// While pages are being asked for, the outbox is counted this often at most.
constexpr auto kDepthBusyInterval = 5s;
}  // namespace

double threadCpuSeconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

OutboxDbWorker::OutboxDbWorker(std::shared_ptr<Store> store, KafkaMetrics& metrics,
                               std::chrono::milliseconds retryBackoff, Callbacks callbacks)
    : store_(std::move(store)),
      metrics_(metrics),
      retryBackoff_(retryBackoff),
      callbacks_(std::move(callbacks)),
      log_(componentLogger("kafka")),
      lastMark_(Clock::now()),  // rows left marked by an earlier run wait for a quiet interval too
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

void OutboxDbWorker::recycle(std::vector<OutboxRecord> rows) {
  std::lock_guard lock(mutex_);
  if (spares_.size() < spareLimit_) {
    spares_.push_back(std::move(rows));
  }
}

void OutboxDbWorker::keepSpares(std::size_t pages) {
  std::lock_guard lock(mutex_);
  spareLimit_ = std::max<std::size_t>(pages, 1);
}

void OutboxDbWorker::markProduced(std::vector<std::int64_t> seqs) {
  if (seqs.empty()) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (marks_.empty()) {
      marks_ = std::move(seqs);
    } else {
      marks_.insert(marks_.end(), seqs.begin(), seqs.end());
    }
  }
  cv_.notify_all();
}

void OutboxDbWorker::markProducedUpTo(std::int64_t seq) {
  {
    std::lock_guard lock(mutex_);
    if (seq <= upToWanted_) {
      return;
    }
    upToWanted_ = seq;
  }
  cv_.notify_all();
}

bool OutboxDbWorker::marksSettled() const {
  std::lock_guard lock(mutex_);
  return marks_.empty() && !marking_ && upToWanted_ <= upToWritten_;
}

bool OutboxDbWorker::waitMarksSettled(Clock::time_point until) {
  std::unique_lock lock(mutex_);
  return cv_.wait_until(lock, until, [this] { return marks_.empty() && !marking_ && upToWanted_ <= upToWritten_; });
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
  log_->info("outbox database time reading_ms={} reading_cpu_ms={} rows_read={} marking_ms={} marking_cpu_ms={} "
             "rows_marked={} mark_calls={} purging_ms={} rows_purged={}",
             std::chrono::duration_cast<std::chrono::milliseconds>(readTime_).count(),
             static_cast<long long>(readCpu_ * 1000), rowsRead_,
             std::chrono::duration_cast<std::chrono::milliseconds>(markTime_).count(),
             static_cast<long long>(markCpu_ * 1000), rowsMarked_, markCalls_,
             std::chrono::duration_cast<std::chrono::milliseconds>(purgeTime_).count(), rowsPurged_);
}

void OutboxDbWorker::countDepth() {
  lastDepth_ = Clock::now();
  if (!callbacks_.depth) {
    return;
  }
  auto depth = store_->outboxDepth();
  if (!depth.ok()) {
    metrics_.storeErrors.inc();
    return;
  }
  callbacks_.depth(*depth);
}

void OutboxDbWorker::readLoop() {
  pthread_setname_np(pthread_self(), "sb-outbox-read");  // for top -H and perf
  std::unique_lock lock(mutex_);
  bool counted = false;  // the outbox was counted (or the first count was put off)
  while (true) {
    // At the start, a little longer for the relay's first request than it takes to come.
    cv_.wait_for(lock, counted ? 1000ms : 200ms, [this] { return stopping_ || request_.has_value(); });
    if (stopping_) {
      return;
    }
    // Counting walks every page of the pending rows (tens of milliseconds for 100,000 of them), so
    // it is done when no page is asked for: every second while the relay is idle or cannot
    // produce (Kafka away: the depth raises the outbox alarm then), and while pages are being
    // asked for, i.e. the outbox is draining, only every kDepthBusyInterval. At the start a page
    // asked for goes first: the count would delay the first record.
    const auto sinceDepth = Clock::now() - lastDepth_;
    const bool due = request_ ? counted && sinceDepth >= kDepthBusyInterval : !counted || sinceDepth >= 1s;
    if (due) {
      lock.unlock();
      countDepth();
      lock.lock();
      counted = true;
    }
    if (!request_) {
      continue;
    }
    if (!counted) {
      counted = true;
      lastDepth_ = Clock::now() - 1s;  // counted once the reader is idle
    }
    Request r = *request_;
    request_.reset();
    reading_ = true;
    Page page;
    if (!spares_.empty()) {
      page.rows = std::move(spares_.back());
      spares_.pop_back();
    }
    lock.unlock();
    auto t0 = Clock::now();
    const double c0 = threadCpuSeconds();
    page.generation = r.generation;
    page.limit = r.limit;
    page.status = store_->pendingOutboxInto(r.afterSeq, r.limit, page.rows);
    if (page.status.ok()) {
      rowsRead_ += static_cast<std::int64_t>(page.rows.size());
      if (callbacks_.prepare) {
        for (auto& row : page.rows) {
          callbacks_.prepare(row);
        }
      }
    } else {
      metrics_.storeErrors.inc();
      log_->warn("cannot read the outbox: {}", page.status.error().describe());
    }
    readTime_ += Clock::now() - t0;
    readCpu_ += threadCpuSeconds() - c0;
    lock.lock();
    reading_ = false;
    page_ = std::move(page);
    lock.unlock();
    if (callbacks_.pageReady) {
      callbacks_.pageReady();
    }
    lock.lock();
  }
}

namespace {
// Produced rows wait this long without a new mark before their bulk deletion: a stream of
// records is produced without deletions competing with it for the database and the disk.
constexpr auto kPurgeQuiet = 1s;
// ...unless this many seqs' worth of produced rows have piled up meanwhile.
constexpr std::int64_t kPurgeBacklog = 200'000;
// Rows per deletion transaction, so that the write lock is never held long.
constexpr std::int64_t kPurgeChunk = 50'000;
}  // namespace

void OutboxDbWorker::markLoop() {
  pthread_setname_np(pthread_self(), "sb-outbox-mark");
  std::unique_lock lock(mutex_);
  auto pending = [this] { return !marks_.empty() || upToWanted_ > upToWritten_; };
  while (true) {
    const bool woken = cv_.wait_for(lock, 250ms, [&] { return stopping_ || pending(); });
    if (!pending()) {
      if (stopping_) {
        return;  // nothing left; produced rows not yet purged wait for the next start
      }
      if (!woken) {
        purgeIfDue(lock, true);
      }
      continue;
    }
    if (stopping_ && Clock::now() > stopDeadline_) {
      log_->warn("{} delivered outbox rows not marked at shutdown; they will be produced again",
                 marks_.size() + (upToWanted_ > upToWritten_ ? 1 : 0));
      return;
    }
    std::vector<std::int64_t> batch;
    batch.swap(marks_);
    const std::int64_t upTo = upToWanted_ > upToWritten_ ? upToWanted_ : 0;
    marking_ = true;
    lock.unlock();
    auto t0 = Clock::now();
    const double c0 = threadCpuSeconds();
    auto status = batch.empty() ? sdk::okStatus() : store_->markProduced(batch);
    bool upToDone = upTo == 0;
    if (status.ok() && !upToDone) {
      status = store_->markProducedUpTo(upTo);
      upToDone = status.ok();
    }
    markTime_ += Clock::now() - t0;
    markCpu_ += threadCpuSeconds() - c0;
    ++markCalls_;
    lock.lock();
    marking_ = false;
    lastMark_ = Clock::now();
    if (upToDone && upTo > upToWritten_) {
      upToWritten_ = upTo;
    }
    if (!status.ok()) {
      // Not marking only risks duplicates; keep the rows and try again after a pause. (A batch
      // deleted before the mark failed is deleted again: a no-op.)
      metrics_.storeErrors.inc();
      log_->warn("cannot mark {} outbox rows produced: {}", batch.size() + (upToDone ? 0 : 1),
                 status.error().describe());
      marks_.insert(marks_.begin(), batch.begin(), batch.end());
      cv_.wait_for(lock, retryBackoff_, [this] { return stopping_; });
    } else {
      rowsMarked_ += static_cast<std::int64_t>(batch.size());
      purgeIfDue(lock, false);
    }
    cv_.notify_all();
  }
}

void OutboxDbWorker::purgeIfDue(std::unique_lock<std::mutex>& lock, bool quiet) {
  if (stopping_ || upToWritten_ <= purgedTo_) {
    return;  // nothing marked since the last complete purge (purgedTo_ -1: unknown, try once)
  }
  const bool due = quiet ? Clock::now() - lastMark_ >= kPurgeQuiet
                         : upToWritten_ - std::max<std::int64_t>(purgedTo_, 0) > kPurgeBacklog;
  if (!due) {
    return;
  }
  const std::int64_t target = upToWritten_;
  // One chunk at a time; new marks go first (checked between chunks).
  while (!stopping_ && marks_.empty() && upToWanted_ <= upToWritten_) {
    lock.unlock();
    const auto t0 = Clock::now();
    auto deleted = store_->purgeProduced(kPurgeChunk);
    purgeTime_ += Clock::now() - t0;
    lock.lock();
    if (!deleted.ok()) {
      metrics_.storeErrors.inc();
      log_->warn("cannot delete produced outbox rows: {}", deleted.error().describe());
      lastMark_ = Clock::now();  // try again after another quiet interval
      return;
    }
    rowsPurged_ += *deleted;
    if (*deleted < kPurgeChunk) {
      purgedTo_ = target;  // every row up to the mark read by this purge, which is >= target
      return;
    }
    if (!quiet) {
      return;  // one chunk between marks while busy
    }
  }
}

}  // namespace switchboard::host
