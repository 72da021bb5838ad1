#include "kafka/outbox_relay.hpp"

#include <pthread.h>

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

void OutboxRelay::destroyProducer() {
  for (auto& [name, t] : topics_) {
    rd_kafka_topic_destroy(t);
  }
  topics_.clear();
  lastTopicName_ = nullptr;
  lastTopic_ = nullptr;
  reports_.reset();  // a queue handle keeps its client from being destroyed
  producer_.reset();
  releaseSentPages(true);  // nothing references them any more
}

sdk::Status OutboxRelay::createProducer() {
  destroyProducer();
  auto conf = makeConf(clientProperties(settings_, bootstrap_, RD_KAFKA_PRODUCER));
  SB_TRY(conf);
  // Delivery reports as events (served by pollProducer) rather than one callback per record.
  rd_kafka_conf_set_events(conf->get(), RD_KAFKA_EVENT_DR);
  // The SASL/OAUTHBEARER token refresh would otherwise be one more event on the main queue, which
  // pollProducer does not answer: it gets a queue of its own, served by librdkafka's background
  // thread (only created when that mechanism is configured).
  rd_kafka_conf_enable_sasl_queue(conf->get(), 1);
  routeLogs(conf->get());
  auto client = makeClient(RD_KAFKA_PRODUCER, std::move(conf).value());
  SB_TRY(client);
  producer_ = std::move(client).value();
  if (rd_kafka_queue_t* sasl = rd_kafka_queue_get_sasl(producer_.get()); sasl != nullptr) {
    rd_kafka_queue_destroy(sasl);  // only asked whether there is one; a held reference blocks destruction
    if (rd_kafka_error_t* e = rd_kafka_sasl_background_callbacks_enable(producer_.get())) {
      const std::string reason = rd_kafka_error_string(e);
      rd_kafka_error_destroy(e);
      producer_.reset();
      return sdk::Error::permanent("kafka.sasl", "cannot serve the producer's SASL token refresh: " + reason);
    }
  }
  reports_.reset(rd_kafka_queue_get_main(producer_.get()));
  return sdk::okStatus();
}

sdk::Status OutboxRelay::start() {
  SB_TRY(createProducer());
  OutboxDbWorker::Callbacks callbacks;
  // Rows stored in another format than the deployment's are converted on the reading thread, off
  // the produce loop. A row that does not convert stays as it is: producing it fails, loudly.
  callbacks.prepare = [format = settings_.format](OutboxRecord& r) {
    if (r.topic != topic::kDlq) {
      (void)convertPayload(r, format);
    }
  };
  // A page arriving only wakes the relay; unlike notify() it does not mean new rows are waiting.
  callbacks.pageReady = [this] {
    {
      std::lock_guard lock(mutex_);
      pageReady_ = true;
    }
    cv_.notify_all();
  };
  callbacks.depth = [this](std::int64_t depth) { onDepth(depth); };
  db_ = std::make_unique<OutboxDbWorker>(store_, metrics_, settings_.retryBackoff, std::move(callbacks));
  // Pages stay with librdkafka until their rows are reported: enough spares for the in-flight
  // window keep the reader refilling old pages instead of allocating new ones.
  db_->keepSpares(static_cast<std::size_t>(settings_.maxInFlight / std::max(1, settings_.outboxBatch)) + 2);
  // With a scope, other daemons' rows sit between ours: only rows deleted one by one are exact.
  useMark_ = !scope_ && store_->producedMarkSupported();
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
  settleCv_.notify_all();
  thread_.join();
}

bool OutboxRelay::settle(Clock::time_point until) {
  std::unique_lock lock(mutex_);
  if (!thread_.joinable() || stopping_) {
    return true;  // not producing: nothing can be in flight past the stop's own drain
  }
  const std::uint64_t ticket = ++settleAsked_;
  wake_ = true;
  cv_.notify_all();
  settleCv_.wait_until(lock, until, [&] { return settleDone_ >= ticket || stopping_; });
  return settleDone_ >= ticket;
}

void OutboxRelay::followScope() {
  const std::uint64_t version = scope_->version();
  if (version != scopeVersion_) {
    // Rows skipped so far may be ours now: start over from the oldest pending row, once what is in
    // flight is settled (reading again earlier would produce those rows a second time).
    scopeVersion_ = version;
    rescan_ = true;
    for (auto& page : backlog_) {
      if (page.next > 0) {
        // librdkafka still reads the rows produced from it in place: kept until their reports.
        sentPages_.emplace_back(page.rows.back().seq, std::move(page.rows));
      } else {
        db_->recycle(std::move(page.rows));
      }
    }
    backlog_.clear();
    backlogSize_ = 0;
    ++generation_;  // a page being read now is dropped when it arrives
  }
  if (rescan_ && inFlightEmpty() && toMark_.empty() && !db_->pageOutstanding() && db_->marksSettled()) {
    rescan_ = false;
    cursor_ = 0;
    wantPage_ = true;
    moreWaiting_ = true;
  }
}

bool OutboxRelay::serveSettle() {
  {
    std::lock_guard lock(mutex_);
    if (settleAsked_ == settleDone_) {
      return false;
    }
    if (settleAsked_ != settleTicket_) {
      // A new request covers every record produced so far; later ones were checked against the
      // scope as it is since the call.
      settleTicket_ = settleAsked_;
      settleSeq_ = inFlight_.empty() ? 0 : inFlight_.back().seq;
    }
  }
  // The front of inFlight_ is the oldest record still waiting for its report.
  const bool reported = inFlight_.empty() || inFlight_.front().seq > settleSeq_;
  if (!reported || !toMark_.empty() || !db_->marksSettled()) {
    return true;
  }
  {
    std::lock_guard lock(mutex_);
    settleDone_ = settleTicket_;
  }
  settleCv_.notify_all();
  return false;
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
  pthread_setname_np(pthread_self(), "sb-outbox-relay");  // for top -H and perf
  cpuStart_ = threadCpuSeconds();
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
    if (scope_) {
      followScope();
    }
    collectPage();
    if (!rescan_) {
      requestPage(woken);
      woken = false;
      produceBacklog();
    }
    // Serve delivery reports. Block briefly only when there is nothing to produce meanwhile.
    int wait = 0;
    bool forPage = false;
    if (backlogEmpty() && !inFlightEmpty()) {
      forPage = db_->pageOutstanding();
      wait = forPage ? 1 : 5;
    }
    if (wait > 0) {
      // Where the relay waited with nothing to produce: for the reader's next page, or for
      // acknowledgements (the in-flight window full, or nothing more pending). Logged at stop.
      const auto t0 = Clock::now();
      pollProducer(wait);
      (forPage ? waitedForPages_ : waitedForAcks_) += Clock::now() - t0;
    } else {
      pollProducer(0);
    }
    checkDeliveryTimeout();
    flushMarks();
    // Scale-out: a settle() or a rescan waits for marks, which no wake-up announces.
    const bool waiting = scope_ && (serveSettle() || rescan_);
    metrics_.inFlight.set(static_cast<double>(unreported_));
    if (inFlightEmpty() && backlogEmpty()) {
      if (!db_->pageOutstanding() && db_->marksSettled()) {
        // Idle: every row we read is marked, so reading from the start again is exact and also
        // picks up rows whose transaction committed after rows with a higher seq (PostgreSQL).
        cursor_ = 0;
      }
      woken = waitFor(waiting ? 5ms : settings_.pollInterval);
    } else {
      std::lock_guard lock(mutex_);
      woken = wake_;
      wake_ = false;
    }
  }
  // Where the relay's CPU went, beside the database threads' (logged when they stop).
  log_->info("outbox relay stopping; produced={} relay_cpu_ms={} waited_for_pages_ms={} waited_for_acks_ms={}",
             producedCount_, static_cast<long long>((threadCpuSeconds() - cpuStart_) * 1000),
             std::chrono::duration_cast<std::chrono::milliseconds>(waitedForPages_).count(),
             std::chrono::duration_cast<std::chrono::milliseconds>(waitedForAcks_).count());
  // Shutdown: nothing new, give in-flight records until the deadline, keep what was delivered.
  drain(stopDeadline_);
  flushMarks();
  if (!inFlightEmpty()) {
    log_->warn("stopping with {} records unacknowledged; they stay pending in the outbox", unreported_);
  }
  if (producer_) {
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    pollProducer(0);
  }
  for (const auto& f : inFlight_) {
    if (f.delivered) {
      toMark_.push_back(f.seq);  // delivered behind a record that never was
    }
  }
  inFlight_.clear();
  unreported_ = 0;
  flushMarks();  // reports served by the last poll
  destroyProducer();
  // The marks of what was delivered are written even past the deadline (briefly): a record
  // delivered but left unmarked would be produced again after the restart.
  db_->stop(std::max(stopDeadline_, Clock::now() + 250ms));
}

void OutboxRelay::requestPage(bool woken) {
  // A wake-up that arrives while a page is being read must not be lost: it asks for one more read.
  wantPage_ = wantPage_ || woken;
  // The next page is read while this one is produced (so the produce loop never waits for SQL),
  // as long as the rows held in memory stay within max_in_flight.
  const int room = settings_.maxInFlight - static_cast<int>(unreported_ + backlogSize_);
  if (room < std::min(settings_.outboxBatch / 2 + 1, settings_.maxInFlight)) {
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
  if (!page) {
    return;
  }
  if (page->generation != generation_) {
    db_->recycle(std::move(page->rows));  // read before a recovery started over
    return;
  }
  if (!page->status.ok()) {
    moreWaiting_ = false;
    db_->recycle(std::move(page->rows));
    return;
  }
  auto& rows = page->rows;
  moreWaiting_ = static_cast<int>(rows.size()) == page->limit;
  // Rows already held (in flight or waiting) are not taken twice.
  std::int64_t held = backlog_.empty() ? -1 : backlog_.back().rows.back().seq;
  if (!inFlight_.empty()) {
    held = std::max(held, inFlight_.back().seq);
  }
  std::size_t first = 0;
  while (first < rows.size() && rows[first].seq <= held) {
    ++first;
  }
  if (!rows.empty()) {
    cursor_ = std::max(cursor_, rows.back().seq);
  }
  if (first == rows.size()) {
    db_->recycle(std::move(rows));
    return;
  }
  backlogSize_ += rows.size() - first;
  backlog_.push_back(BacklogPage{std::move(rows), first});
}

void OutboxRelay::clearBacklog() {
  for (auto& page : backlog_) {
    db_->recycle(std::move(page.rows));
  }
  backlog_.clear();
  backlogSize_ = 0;
}

void OutboxRelay::produceBacklog() {
  while (!backlog_.empty() && !failed_) {
    auto& page = backlog_.front();
    const OutboxRecord& record = page.rows[page.next];
    // Scale-out: another daemon's row is left to it (checked now: the scope may have changed
    // since the row was read).
    const bool ours = !scope_ || scope_->produces(record);
    if (ours) {
      auto status = produceOne(record);
      if (!status.ok()) {
        if (status.error().code == "kafka.queue_full") {
          return;  // librdkafka is full: poll, then continue with the same record.
        }
        metrics_.produceFailed.inc();
        log_->warn("cannot produce outbox row {}: {}", record.seq, status.error().describe());
        failed_ = true;
        return;
      }
    }
    --backlogSize_;
    if (++page.next == page.rows.size()) {
      const std::int64_t last = page.rows.back().seq;
      sentPages_.emplace_back(last, std::move(page.rows));
      backlog_.pop_front();
    }
    // Serve delivery reports as we go, so their queue stays short.
    if (ours && (++producedCount_ & 1023) == 0) {
      pollProducer(0);
    }
  }
}

rd_kafka_topic_t* OutboxRelay::topicHandle(const std::string& logical) {
  if (lastTopicName_ != nullptr && *lastTopicName_ == logical) {
    return lastTopic_;
  }
  auto it = topics_.find(logical);
  if (it == topics_.end()) {
    it = topics_.emplace(logical, rd_kafka_topic_new(producer_.get(), settings_.topicName(logical).c_str(), nullptr))
             .first;
  }
  lastTopicName_ = &it->first;
  lastTopic_ = it->second;
  return lastTopic_;
}

rd_kafka_topic_t* OutboxRelay::topicHandle(const OutboxRecord& r) {
  if (!settings_.tenantTopicPrefixes.empty()) {
    auto prefix = settings_.tenantTopicPrefixes.find(r.tenant);
    if (prefix != settings_.tenantTopicPrefixes.end()) {
      // Keyed by the full name, which never equals a logical one (tenant prefixes are not empty).
      const std::string name = prefix->second + r.topic;
      auto it = topics_.find(name);
      if (it == topics_.end()) {
        it = topics_.emplace(name, rd_kafka_topic_new(producer_.get(), name.c_str(), nullptr)).first;
      }
      return it->second;
    }
  }
  return topicHandle(r.topic);
}

sdk::Status OutboxRelay::produceOne(const OutboxRecord& r) {
  rd_kafka_topic_t* topic = topicHandle(r);
  // A dead letter is unpacked from its protobuf Envelope, whatever format it was stored in.
  OutboxRecord proto;
  const OutboxRecord* deadLetter = &r;
  if (r.topic == topic::kDlq && r.payloadFormat != PayloadFormat::Protobuf) {
    proto = r;
    SB_TRY(convertPayload(proto, Format::Protobuf));
    deadLetter = &proto;
  }
  rd_kafka_headers_t* headers = rd_kafka_headers_new(12);
  addCloudEventHeaders(headers, r, settings_.format);
  std::string_view key = r.key;
  std::string_view value = r.payload;
  DeadLetterWire dead;
  std::string converted;
  if (r.topic == topic::kDlq) {
    auto wire = deadLetterWire(*deadLetter, headers);
    if (!wire.ok()) {
      rd_kafka_headers_destroy(headers);
      return wire.takeError();
    }
    dead = std::move(wire).value();
    key = dead.key;
    value = dead.value;
  } else if (r.payloadFormat != payloadFormatOf(settings_.format)) {
    // Normally done on the reading thread; here only when that conversion failed.
    OutboxRecord copy = r;
    auto status = convertPayload(copy, settings_.format);
    if (!status.ok()) {
      rd_kafka_headers_destroy(headers);
      return status;
    }
    converted = std::move(copy.payload);
    value = converted;
  }
  // The stored payload is produced in place: its page is kept until the delivery report (see
  // sentPages_). A value built here (dead letter, late conversion) is copied by librdkafka.
  const int flags = value.data() == r.payload.data() ? 0 : RD_KAFKA_MSG_F_COPY;
  auto err = rd_kafka_producev(producer_.get(), RD_KAFKA_V_RKT(topic), RD_KAFKA_V_MSGFLAGS(flags),
                               RD_KAFKA_V_KEY(key.data(), key.size()),
                               RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                               RD_KAFKA_V_HEADERS(headers),
                               RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<intptr_t>(r.seq))),
                               RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_headers_destroy(headers);  // Not taken over on failure.
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      return sdk::Error::retriable("kafka.queue_full", "producer queue full");
    }
    return kafkaError(err, "produce to " + settings_.topicNameFor(r.tenant, r.topic));
  }
  inFlight_.push_back(InFlight{r.seq, Clock::now(), r.createdAtMs, false});
  ++unreported_;
  return sdk::okStatus();
}

std::deque<OutboxRelay::InFlight>::iterator OutboxRelay::findInFlight(std::int64_t seq) {
  // Pending rows mostly have consecutive seqs, so the entry is usually where the distance from
  // the front says: one probe instead of a binary search, whose scattered reads over a window of
  // tens of thousands of entries cost more than the rest of a report.
  if (!inFlight_.empty()) {
    const std::int64_t offset = seq - inFlight_.front().seq;
    if (offset >= 0 && offset < static_cast<std::int64_t>(inFlight_.size())) {
      auto guess = inFlight_.begin() + offset;
      if (guess->seq == seq) {
        return guess;
      }
    }
  }
  return std::lower_bound(inFlight_.begin(), inFlight_.end(), seq,
                          [](const InFlight& f, std::int64_t s) { return f.seq < s; });
}

void OutboxRelay::onDelivery(const rd_kafka_message_t* m) {
  const auto seq = static_cast<std::int64_t>(reinterpret_cast<intptr_t>(m->_private));
  auto it = findInFlight(seq);
  const bool tracked = it != inFlight_.end() && it->seq == seq && !it->reported;
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (useMark_ && tracked) {
      it->delivered = true;  // marked when it leaves the front (leaveFront)
    } else {
      toMark_.push_back(seq);
    }
    ++eventDelivered_;
    if (tracked && !eventSampled_) {
      eventSampled_ = true;
      sampleProducedAt_ = it->producedAt;
      sampleCreatedAtMs_ = it->createdAtMs;
    }
  } else {
    metrics_.produceFailed.inc();
    if (!failed_) {
      auto e = kafkaError(m->err, "delivery of outbox row " + std::to_string(seq));
      log_->warn("{}; the row stays pending and will be produced again", e.message);
    }
    failed_ = true;
  }
  if (tracked) {
    it->reported = true;
    --unreported_;
    leaveFront();
  }
}

void OutboxRelay::leaveFront() {
  while (!inFlight_.empty() && inFlight_.front().reported) {
    const InFlight& f = inFlight_.front();
    if (useMark_) {
      if (!f.delivered) {
        prefixIntact_ = false;  // until the relay starts over (recover)
      } else if (prefixIntact_) {
        producedUpTo_ = std::max(producedUpTo_, f.seq);
      } else {
        toMark_.push_back(f.seq);
      }
    }
    inFlight_.pop_front();
  }
}

void OutboxRelay::onReports(rd_kafka_event_t* event) {
  eventDelivered_ = 0;
  eventSampled_ = false;
  while (const rd_kafka_message_t* m = rd_kafka_event_message_next(event)) {
    onDelivery(m);
  }
  if (eventDelivered_ > 0) {
    metrics_.produced.inc(static_cast<double>(eventDelivered_));
  }
  // The latency histograms count report events, each observed at its oldest delivered record:
  // observing every record cost more of the relay's time than anything else of ours, and the
  // records of one event were acknowledged together anyway.
  if (eventSampled_) {
    metrics_.deliveryLatency.observe(std::chrono::duration<double>(Clock::now() - sampleProducedAt_).count());
    if (sampleCreatedAtMs_ > 0) {
      metrics_.outboxLatency.observe(static_cast<double>(std::max<std::int64_t>(0, nowMs() - sampleCreatedAtMs_)) /
                                     1000.0);
    }
  }
}

void OutboxRelay::pollProducer(int timeoutMs) {
  // Waits only for the first event; then serves what is queued, a bounded number of events (each
  // up to batch.num.messages reports) so that producing resumes soon.
  constexpr int kMaxEvents = 64;
  int wait = timeoutMs;
  for (int served = 0; reports_ && served < kMaxEvents; ++served) {
    rd_kafka_event_t* event = rd_kafka_queue_poll(reports_.get(), wait);
    if (event == nullptr) {
      break;
    }
    wait = 0;
    switch (rd_kafka_event_type(event)) {
      case RD_KAFKA_EVENT_DR:
        onReports(event);
        break;
      case RD_KAFKA_EVENT_ERROR:
        // A fatal one also fails the records in flight, whose reports start the recovery.
        logClientError(producer_.get(), rd_kafka_event_error(event), rd_kafka_event_error_string(event));
        break;
      default:
        break;
    }
    rd_kafka_event_destroy(event);
  }
  releaseSentPages(false);
}

void OutboxRelay::releaseSentPages(bool all) {
  // The front of inFlight_ is the oldest record still waiting for its report (reported ones leave
  // the front at once): every page that ends before it is no longer read by librdkafka. `all`
  // only once the producer is destroyed: inFlight_ is cleared before that while librdkafka may
  // still hold purged records.
  while (!sentPages_.empty() &&
         (all || inFlight_.empty() || inFlight_.front().seq > sentPages_.front().first)) {
    db_->recycle(std::move(sentPages_.front().second));
    sentPages_.pop_front();
  }
}

void OutboxRelay::checkDeliveryTimeout() {
  // librdkafka's own message.timeout.ms is off: when it fires it fails the oldest records of a
  // partition and still sends the newer ones, so a re-produced record would land behind its
  // successors. The relay times out instead, and only ever by starting over from the oldest
  // pending row: the partition log then holds an in-order prefix followed by the re-produced rest.
  const auto now = Clock::now();
  if (inFlightEmpty() || failed_ || now - lastTimeoutScan_ < 100ms) {
    return;
  }
  lastTimeoutScan_ = now;
  // Reported entries leave the front at once, so the front is the oldest one still waiting.
  const InFlight& oldest = inFlight_.front();
  if (now - oldest.producedAt > settings_.messageTimeout) {
    metrics_.produceFailed.inc();
    log_->warn("outbox row {} not acknowledged within {} ms; starting over from the oldest pending row", oldest.seq,
               settings_.messageTimeout.count());
    failed_ = true;
  }
}

void OutboxRelay::flushMarks() {
  if (!toMark_.empty()) {
    db_->markProduced(std::move(toMark_));
    toMark_.clear();
  }
  if (producedUpTo_ > flushedUpTo_) {
    db_->markProducedUpTo(producedUpTo_);
    flushedUpTo_ = producedUpTo_;
  }
}

void OutboxRelay::drain(Clock::time_point until) {
  while (producer_ && !inFlightEmpty() && Clock::now() < until) {
    pollProducer(10);
  }
}

void OutboxRelay::recover() {
  // Stop feeding the producer, let whatever is already on the wire finish (delivered rows get
  // marked), then start over with a new producer from the oldest pending row: later rows of the
  // same key are never acknowledged ahead of an earlier one that is produced again.
  rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE);
  drain(Clock::now() + std::min<std::chrono::milliseconds>(settings_.messageTimeout, 5s));
  flushMarks();
  if (!inFlightEmpty()) {
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    pollProducer(100);
  }
  for (const auto& f : inFlight_) {
    if (f.delivered) {
      toMark_.push_back(f.seq);  // delivered behind a record that never was
    }
  }
  inFlight_.clear();
  unreported_ = 0;
  flushMarks();
  // Reading starts again above the mark: every pending row is read and produced anew, in order.
  prefixIntact_ = true;
  // Starting over from the oldest pending row is exact only once the delivered rows are gone.
  if (!db_->waitMarksSettled(Clock::now() + 10s)) {
    log_->warn("delivered outbox rows not yet marked; some will be produced twice");
  }
  clearBacklog();
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

void OutboxRelay::onDepth(std::int64_t depth) {
  metrics_.outboxDepth.set(static_cast<double>(depth));
  const bool over = depth >= settings_.outboxLimit;
  if (over != overLimit_.exchange(over)) {
    if (over) {
      log_->error("outbox over its limit: depth={} limit={}; Kafka is not keeping up or unreachable, new inbound "
                  "work is refused until it drains",
                  depth, settings_.outboxLimit);
    } else {
      log_->info("outbox back under its limit: depth={} limit={}", depth, settings_.outboxLimit);
    }
  }
  metrics_.outboxOverLimit.set(over ? 1 : 0);
}

}  // namespace switchboard::host
