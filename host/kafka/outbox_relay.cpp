#include "kafka/outbox_relay.hpp"

#include <algorithm>

#include "common/clock.hpp"
#include "common/logging.hpp"
#include "kafka/cloudevents_headers.hpp"
#include "kafka/dead_letter.hpp"

namespace switchboard::host {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

OutboxRelay::OutboxRelay(KafkaSettings settings, std::string bootstrap, std::shared_ptr<Store> store,
                         KafkaMetrics& metrics)
    : settings_(std::move(settings)),
      bootstrap_(std::move(bootstrap)),
      store_(std::move(store)),
      metrics_(metrics),
      log_(componentLogger("kafka")) {}

OutboxRelay::~OutboxRelay() { stop(0ms); }

void OutboxRelay::deliveryCallback(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  static_cast<OutboxRelay*>(opaque)->onDelivery(message);
}

sdk::Status OutboxRelay::createProducer() {
  for (auto& [name, t] : topics_) {
    rd_kafka_topic_destroy(t);
  }
  topics_.clear();
  producer_.reset();
  auto conf = makeConf(clientProperties(settings_, bootstrap_, RD_KAFKA_PRODUCER));
  SB_TRY(conf);
  rd_kafka_conf_set_dr_msg_cb(conf->get(), &OutboxRelay::deliveryCallback);
  rd_kafka_conf_set_opaque(conf->get(), this);
  routeLogs(conf->get());
  auto client = makeClient(RD_KAFKA_PRODUCER, std::move(conf).value());
  SB_TRY(client);
  producer_ = std::move(client).value();
  return sdk::okStatus();
}

sdk::Status OutboxRelay::start() {
  SB_TRY(createProducer());
  // A page arriving only wakes the relay; unlike notify() it does not mean new rows are waiting.
  db_ = std::make_unique<OutboxDbWorker>(store_, metrics_, settings_.retryBackoff, [this] {
    {
      std::lock_guard lock(mutex_);
      pageReady_ = true;
    }
    cv_.notify_all();
  });
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
  return sdk::okStatus();
}

void OutboxRelay::stop(std::chrono::milliseconds deadline) {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) {
      return;
    }
    stopping_ = true;
    stopDeadline_ = Clock::now() + deadline;
  }
  cv_.notify_all();
  thread_.join();
}

void OutboxRelay::notify() {
  {
    std::lock_guard lock(mutex_);
    wake_ = true;
  }
  cv_.notify_all();
}

bool OutboxRelay::waitFor(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  cv_.wait_for(lock, d, [this] { return wake_ || pageReady_ || stopping_; });
  bool woken = wake_;
  wake_ = false;
  pageReady_ = false;
  return woken;
}

void OutboxRelay::run() {
  bool woken = true;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) {
        break;
      }
    }
    if (failed_) {
      recover();
      woken = true;
      continue;
    }
    const auto now = Clock::now();
    auto s0 = Clock::now();
    collectPage();
    requestPage(woken);
    woken = false;
    auto s1 = Clock::now();
    produceBacklog();
    auto s2 = Clock::now();
    rd_kafka_poll(producer_.get(), inFlight_.empty() ? 0 : 5);
    checkDeliveryTimeout();
    auto s3 = Clock::now();
    flushMarks();
    tFetch_ += s1 - s0;
    tProduce_ += s2 - s1;
    tPoll_ += s3 - s2;
    if (now - lastDepth_ >= 1s) {
      updateDepth();
    }
    if (inFlight_.empty() && backlog_.empty()) {
      if (!db_->pageOutstanding() && db_->marksSettled()) {
        // Idle: every row we read is marked, so reading from the start again is exact and also
        // picks up rows whose transaction committed after rows with a higher seq (PostgreSQL).
        cursor_ = 0;
      }
      woken = waitFor(settings_.pollInterval);
    } else {
      std::lock_guard lock(mutex_);
      woken = wake_;
      wake_ = false;
    }
  }
  // Where the relay's time went: tells a slow database from a slow cluster.
  log_->info("outbox relay stopping; time spent reading_outbox_ms={} producing_ms={} polling_ms={}",
             std::chrono::duration_cast<std::chrono::milliseconds>(tFetch_).count(),
             std::chrono::duration_cast<std::chrono::milliseconds>(tProduce_).count(),
             std::chrono::duration_cast<std::chrono::milliseconds>(tPoll_).count());
  // Shutdown: nothing new, give in-flight records until the deadline, keep what was delivered.
  drain(stopDeadline_);
  flushMarks();
  if (!inFlight_.empty()) {
    log_->warn("stopping with {} records unacknowledged; they stay pending in the outbox", inFlight_.size());
  }
  if (producer_) {
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(producer_.get(), 0);
  }
  inFlight_.clear();
  for (auto& [name, t] : topics_) {
    rd_kafka_topic_destroy(t);
  }
  topics_.clear();
  producer_.reset();
  db_->stop(std::max(stopDeadline_, Clock::now() + 1s));
}

void OutboxRelay::requestPage(bool woken) {
  // A wake-up that arrives while a page is being read must not be lost: it asks for one more read.
  wantPage_ = wantPage_ || woken;
  const int room = settings_.maxInFlight - static_cast<int>(inFlight_.size() + backlog_.size());
  if (!backlog_.empty() || room < settings_.outboxBatch / 2 + 1) {
    return;
  }
  if (!(wantPage_ || moreWaiting_ || Clock::now() - lastFetch_ >= settings_.pollInterval)) {
    return;
  }
  if (db_->requestPage(cursor_, std::min(settings_.outboxBatch, room), generation_)) {
    lastFetch_ = Clock::now();
    wantPage_ = false;
  }
}

void OutboxRelay::collectPage() {
  auto page = db_->takePage();
  if (!page || page->generation != generation_) {
    return;  // nothing yet, or read before a recovery started over
  }
  if (!page->rows.ok()) {
    moreWaiting_ = false;
    return;
  }
  auto& rows = page->rows.value();
  moreWaiting_ = static_cast<int>(rows.size()) == page->limit;
  for (auto& r : rows) {
    cursor_ = std::max(cursor_, r.seq);
    if (inFlight_.count(r.seq) == 0) {
      backlog_.push_back(std::move(r));
    }
  }
}

void OutboxRelay::produceBacklog() {
  while (!backlog_.empty() && !failed_) {
    auto status = produceOne(backlog_.front());
    if (!status.ok()) {
      if (status.error().code == "kafka.queue_full") {
        return;  // librdkafka is full: poll, then continue with the same record.
      }
      metrics_.produceFailed.inc();
      log_->warn("cannot produce outbox row {}: {}", backlog_.front().seq, status.error().describe());
      failed_ = true;
      return;
    }
    backlog_.pop_front();
  }
  metrics_.inFlight.set(static_cast<double>(inFlight_.size()));
}

sdk::Status OutboxRelay::produceOne(const OutboxRecord& r) {
  auto& topic = topics_[r.topic];
  if (topic == nullptr) {
    topic = rd_kafka_topic_new(producer_.get(), settings_.topicName(r.topic).c_str(), nullptr);
  }
  rd_kafka_headers_t* headers = rd_kafka_headers_new(12);
  addCloudEventHeaders(headers, r, settings_.format);
  std::string key = r.key;
  std::string value;
  if (r.topic == topic::kDlq) {
    auto wire = deadLetterWire(r, headers);
    if (!wire.ok()) {
      rd_kafka_headers_destroy(headers);
      return wire.takeError();
    }
    key = std::move(wire->key);
    value = std::move(wire->value);
  } else {
    auto wire = toWire(r.payload, settings_.format);
    if (!wire.ok()) {
      rd_kafka_headers_destroy(headers);
      return wire.takeError();
    }
    value = std::move(wire).value();
  }
  auto err = rd_kafka_producev(producer_.get(), RD_KAFKA_V_RKT(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                               RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(value.data(), value.size()),
                               RD_KAFKA_V_HEADERS(headers),
                               RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<intptr_t>(r.seq))),
                               RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_headers_destroy(headers);  // Not taken over on failure.
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return sdk::Error::retriable("kafka.queue_full", "producer queue full");
    }
    return kafkaError(err, "produce to " + settings_.topicName(r.topic));
  }
  inFlight_[r.seq] = InFlight{Clock::now(), r.createdAtMs};
  return sdk::okStatus();
}

void OutboxRelay::onDelivery(const rd_kafka_message_t* m) {
  const auto seq = static_cast<std::int64_t>(reinterpret_cast<intptr_t>(m->_private));
  auto it = inFlight_.find(seq);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    toMark_.push_back(seq);
    metrics_.produced.inc();
    if (it != inFlight_.end()) {
      metrics_.deliveryLatency.observe(std::chrono::duration<double>(Clock::now() - it->second.producedAt).count());
      if (it->second.createdAtMs > 0) {
        metrics_.outboxLatency.observe(static_cast<double>(std::max<std::int64_t>(0, nowMs() - it->second.createdAtMs)) /
                                       1000.0);
      }
    }
  } else {
    metrics_.produceFailed.inc();
    if (!failed_) {
      auto e = kafkaError(m->err, "delivery of outbox row " + std::to_string(seq));
      log_->warn("{}; the row stays pending and will be produced again", e.message);
    }
    failed_ = true;
  }
  if (it != inFlight_.end()) {
    inFlight_.erase(it);
  }
}

void OutboxRelay::checkDeliveryTimeout() {
  // librdkafka's own message.timeout.ms is off: when it fires it fails the oldest records of a
  // partition and still sends the newer ones, so a re-produced record would land behind its
  // successors. The relay times out instead, and only ever by starting over from the oldest
  // pending row: the partition log then holds an in-order prefix followed by the re-produced rest.
  const auto now = Clock::now();
  if (inFlight_.empty() || failed_ || now - lastTimeoutScan_ < 100ms) {
    return;
  }
  lastTimeoutScan_ = now;
  const auto oldest = std::min_element(inFlight_.begin(), inFlight_.end(), [](const auto& a, const auto& b) {
    return a.second.producedAt < b.second.producedAt;
  });
  if (now - oldest->second.producedAt > settings_.messageTimeout) {
    metrics_.produceFailed.inc();
    log_->warn("outbox row {} not acknowledged within {} ms; starting over from the oldest pending row", oldest->first,
               settings_.messageTimeout.count());
    failed_ = true;
  }
}

void OutboxRelay::flushMarks() {
  if (!toMark_.empty()) {
    db_->markProduced(std::move(toMark_));
    toMark_.clear();
  }
}

void OutboxRelay::drain(Clock::time_point until) {
  while (producer_ && !inFlight_.empty() && Clock::now() < until) {
    rd_kafka_poll(producer_.get(), 10);
  }
}

void OutboxRelay::recover() {
  // Stop feeding the producer, let whatever is already on the wire finish (delivered rows get
  // marked), then start over with a new producer from the oldest pending row: later rows of the
  // same key are never acknowledged ahead of an earlier one that is produced again.
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE);
  drain(Clock::now() + std::min<std::chrono::milliseconds>(settings_.messageTimeout, 5s));
  flushMarks();
  if (!inFlight_.empty()) {
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(producer_.get(), 100);
    inFlight_.clear();
  }
  // Starting over from the oldest pending row is exact only once the delivered rows are gone.
  if (!db_->waitMarksSettled(Clock::now() + 10s)) {
    log_->warn("delivered outbox rows not yet marked; some will be produced twice");
  }
  backlog_.clear();
  cursor_ = 0;
  ++generation_;
  failed_ = false;
  metrics_.inFlight.set(0);
  char reason[256] = "";
  if (rd_kafka_fatal_error(producer_.get(), reason, sizeof(reason)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log_->error("producer fatal error: {}; re-creating the producer", reason);
  }
  waitFor(settings_.retryBackoff);
  auto status = createProducer();
  while (!status.ok()) {
    log_->error("cannot re-create the Kafka producer: {}", status.error().describe());
    waitFor(settings_.retryBackoff);
    std::lock_guard lock(mutex_);
    if (stopping_) {
      return;
    }
    status = createProducer();
  }
  metrics_.producerRecreated.inc();
  moreWaiting_ = true;
}

void OutboxRelay::updateDepth() {
  lastDepth_ = Clock::now();
  auto depth = store_->outboxDepth();
  if (!depth.ok()) {
    metrics_.storeErrors.inc();
    return;
  }
  metrics_.outboxDepth.set(static_cast<double>(*depth));
  const bool over = *depth >= settings_.outboxLimit;
  if (over != overLimit_.exchange(over)) {
    if (over) {
      log_->error("outbox over its limit: depth={} limit={}; Kafka is not keeping up or unreachable, new inbound "
                  "work is refused until it drains",
                  *depth, settings_.outboxLimit);
    } else {
      log_->info("outbox back under its limit: depth={} limit={}", *depth, settings_.outboxLimit);
    }
  }
  metrics_.outboxOverLimit.set(over ? 1 : 0);
}

}  // namespace switchboard::host
