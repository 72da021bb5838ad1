#include "cluster/ownership_coordinator.hpp"

#include <chrono>

#include "cluster/account_partition.hpp"
#include "cluster/account_placement.hpp"
#include "cluster/partition_assignment.hpp"
#include "kafka/dead_letter.hpp"

namespace switchboard::host::cluster {

namespace {

constexpr int kMetadataTries = 30;

std::set<int> partitionsOf(const rd_kafka_topic_partition_list_t* parts) {
  std::set<int> out;
  for (int i = 0; parts != nullptr && i < parts->cnt; ++i) {
    out.insert(parts->elems[i].partition);
  }
  return out;
}

}  // namespace

OwnershipCoordinator::OwnershipCoordinator(ClusterSettings settings,
                                           std::map<std::string, std::string> consumerProperties,
                                           std::map<std::string, std::string> producerProperties,
                                           std::string controlTopic, storage::Database& db,
                                           storage::AccountFence& fence, AccountRunner& runner,
                                           MetricsRegistry& metrics)
    : settings_(std::move(settings)),
      consumerProperties_(std::move(consumerProperties)),
      producerProperties_(std::move(producerProperties)),
      controlTopic_(std::move(controlTopic)),
      db_(db),
      fence_(fence),
      runner_(runner),
      metrics_(metrics),
      log_(componentLogger("cluster")) {}

OwnershipCoordinator::~OwnershipCoordinator() { stop(); }

void OwnershipCoordinator::attachOutbox(std::shared_ptr<PartitionOutboxScope> scope,
                                        std::function<bool(std::chrono::steady_clock::time_point)> settle) {
  outboxScope_ = std::move(scope);
  settleOutbox_ = std::move(settle);
}

sdk::Status OwnershipCoordinator::start() {
  auto props = consumerProperties_;
  props["group.id"] = settings_.group;
  props["client.id"] = settings_.instanceId;
  props["session.timeout.ms"] = std::to_string(settings_.sessionTimeout.count());
  props["heartbeat.interval.ms"] = std::to_string(settings_.heartbeatInterval.count());
  props["max.poll.interval.ms"] = std::to_string(settings_.maxPollInterval.count());
  // Either way an account is released by its old owner before its new owner is told to take it:
  // eager assignors (roundrobin, range) make every member give everything back before the group
  // hands partitions out; cooperative-sticky revokes only the partitions that change hands, in a
  // first round, and assigns them in a second one once their holders have let them go.
  props["partition.assignment.strategy"] = settings_.assignmentStrategy;
  props["auto.offset.reset"] = "earliest";  // commands written before any daemon joined still count
  props["enable.auto.commit"] = "true";
  props["enable.auto.offset.store"] = "false";
  auto conf = makeConf(props);
  SB_TRY(conf);
  routeLogs(conf->get());
  rd_kafka_conf_set_rebalance_cb(conf->get(), &OwnershipCoordinator::rebalanceCallback);
  rd_kafka_conf_set_opaque(conf->get(), this);
  auto consumer = makeClient(RD_KAFKA_CONSUMER, std::move(conf).value());
  SB_TRY(consumer);
  consumer_ = std::move(consumer).value();
  rd_kafka_poll_set_consumer(consumer_.get());

  auto pprops = producerProperties_;
  pprops["client.id"] = settings_.instanceId + "-control";
  pprops["message.timeout.ms"] = "10000";
  pprops["linger.ms"] = "0";
  auto pconf = makeConf(pprops);
  SB_TRY(pconf);
  routeLogs(pconf->get());
  auto producer = makeClient(RD_KAFKA_PRODUCER, std::move(pconf).value());
  SB_TRY(producer);
  producer_ = std::move(producer).value();

  // Every daemon maps accounts to partitions with the same count: the topic's.
  rd_kafka_topic_t* topic = rd_kafka_topic_new(consumer_.get(), controlTopic_.c_str(), nullptr);
  for (int attempt = 0; attempt < kMetadataTries && partitionCount_ == 0; ++attempt) {
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(consumer_.get(), 0, topic, &md, 2000) == RD_KAFKA_RESP_ERR_NO_ERROR && md != nullptr) {
      if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        partitionCount_ = md->topics[0].partition_cnt;
      }
      rd_kafka_metadata_destroy(md);
    }
    if (partitionCount_ == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  rd_kafka_topic_destroy(topic);
  if (partitionCount_ == 0) {
    consumer_.reset();
    producer_.reset();
    return sdk::Error::retriable("cluster.no_control_topic",
                                 "topic " + controlTopic_ + " has no partitions (does it exist?); cannot share accounts");
  }

  fence_.onRefusal([this](const std::string& account, long long held, long long recorded) {
    metrics_.counter("cluster_fenced_writes_total", "Writes refused because another daemon owns the account")
        .inc();
    log_->warn("write refused for account={}: this daemon holds generation {}, the account is at {}; releasing it",
               account, held, recorded);
    std::lock_guard lock(mutex_);
    stale_.insert(account);
  });

  if (auto s = subscribeTopics(consumer_.get(), {controlTopic_}); !s.ok()) {
    consumer_.reset();
    producer_.reset();
    return s;
  }
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
  log_->info("joined group {} on {} as {} ({} partitions)", settings_.group, controlTopic_, settings_.instanceId,
             partitionCount_.load());
  return sdk::okStatus();
}

void OwnershipCoordinator::stop() {
  stopping_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
  if (consumer_) {
    // Leaving the group runs the rebalance callback once more: every account is released, then
    // the others are told to take the partitions at once (no session timeout to wait for).
    rd_kafka_consumer_close(consumer_.get());
    consumer_.reset();
  }
  std::map<std::string, KnownAccount> left;
  {
    std::lock_guard lock(mutex_);
    left = running_;
  }
  for (const auto& [id, a] : left) {
    letGo(id);
  }
  if (producer_) {
    rd_kafka_flush(producer_.get(), 5000);
    producer_.reset();
  }
}

void OwnershipCoordinator::rebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                             rd_kafka_topic_partition_list_t* parts, void* opaque) {
  auto* self = static_cast<OwnershipCoordinator*>(opaque);
  self->rebalances_.fetch_add(1);
  self->metrics_.counter("cluster_rebalances_total", "Partition assignments and revocations seen").inc();
  const RebalanceProtocol protocol = rebalanceProtocolNamed(rd_kafka_rebalance_protocol(rk));
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    if (protocol == RebalanceProtocol::Cooperative) {
      self->checkAssignCall(rd_kafka_incremental_assign(rk, parts), "incremental assign");
    } else {
      self->checkAssignCall(kafkaStatus(rd_kafka_assign(rk, parts)), "assign");
    }
    self->onAssigned(protocol, partitionsOf(parts));
  } else {
    // Revoked (or lost after a pause): nothing of these accounts may run here any more. Released
    // before the callback returns, that is before the group completes the rebalance. Under the
    // cooperative protocol `parts` is only what changes hands; the rest keeps running.
    self->onRevoked(partitionsOf(parts));
    if (protocol == RebalanceProtocol::Cooperative) {
      self->checkAssignCall(rd_kafka_incremental_unassign(rk, parts), "incremental unassign");
    } else {
      self->checkAssignCall(kafkaStatus(rd_kafka_assign(rk, nullptr)), "unassign");
    }
  }
  self->publishGauges();
}

void OwnershipCoordinator::checkAssignCall(rd_kafka_error_t* error, const char* what) {
  if (error == nullptr) {
    return;
  }
  // The consumer's assignment no longer matches what the group decided (a programming error or a
  // consumer closing meanwhile): logged, the next rebalance corrects it.
  log_->error("control consumer: {} failed: {}", what, rd_kafka_error_string(error));
  rd_kafka_error_destroy(error);
}

rd_kafka_error_t* OwnershipCoordinator::kafkaStatus(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_NO_ERROR ? nullptr : rd_kafka_error_new(err, "%s", rd_kafka_err2str(err));
}

void OwnershipCoordinator::onAssigned(RebalanceProtocol protocol, const std::set<int>& given) {
  std::set<int> held;
  std::set<int> partitions;  // new here: their accounts are taken over
  {
    std::lock_guard lock(mutex_);
    auto change = applyAssignment(protocol, partitions_, given);
    partitions_ = change.held;
    held = std::move(change.held);
    partitions = std::move(change.added);
  }
  reloadPlacements();
  if (outboxScope_) {
    // The pending outbox rows of these partitions are produced here from now on (the scope takes
    // the whole set: an incremental assignment adds to what stayed).
    outboxScope_->assign(held, partitionCount_);
  }
  if (auto s = recordMember(db_, settings_.instanceId, held); !s.ok()) {
    log_->warn("assigned partitions not recorded in cluster_members (moves to this daemon will fail): {}",
               s.error().describe());
  }
  auto known = runner_.accounts();
  if (!known.ok()) {
    log_->error("partitions assigned, but the accounts cannot be listed: {}", known.error().describe());
    return;
  }
  std::set<std::string> paused;
  if (auto rows = storage::AccountFence::list(db_); rows.ok()) {
    for (const auto& r : rows.value()) {
      if (r.state == "paused") {
        paused.insert(r.account);
      }
    }
  }
  std::size_t taken = 0;
  for (const auto& a : known.value()) {
    if (partitions.count(effectivePartition(a.account)) == 0 || paused.count(a.account) != 0) {
      continue;
    }
    bool runs = false;
    {
      std::lock_guard lock(mutex_);
      runs = running_.count(a.account) != 0;
    }
    if (runs) {
      continue;  // already here (moved to this daemon): no new generation, no reconnection
    }
    takeOver(a);
    ++taken;
  }
  const auto list = [](const std::set<int>& ps) {
    std::string out;
    for (int p : ps) {
      out += (out.empty() ? "" : ",") + std::to_string(p);
    }
    return out;
  };
  log_->info("assigned partitions=[{}] held=[{}] accounts={} protocol={} instance={}", list(partitions), list(held),
             taken, protocol == RebalanceProtocol::Cooperative ? "cooperative" : "eager", settings_.instanceId);
}

void OwnershipCoordinator::onRevoked(const std::set<int>& partitions) {
  std::vector<std::string> leaving;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, a] : running_) {
      if (partitions.count(partitionLocked(id)) != 0) {
        leaving.push_back(id);
      }
    }
    partitions_ = applyRevocation(partitions_, partitions);
  }
  if (partitions.empty()) {
    return;  // a cooperative round that takes nothing from this daemon
  }
  const auto t0 = std::chrono::steady_clock::now();
  if (outboxScope_) {
    // Their rows are left to the next holder, including those the accounts write while released.
    outboxScope_->revoke(partitions);
  }
  for (const auto& id : leaving) {
    letGo(id);
  }
  // What was produced of them has its delivery report and is deleted before the group hands the
  // partitions on: their new holder neither produces those records again nor overtakes them.
  if (settleOutbox_) {
    const auto s0 = std::chrono::steady_clock::now();
    if (!settleOutbox_(s0 + settings_.releaseDeadline)) {
      log_->warn("outbox records of revoked partitions not settled within {} ms; their next holder may produce "
                 "some again",
                 settings_.releaseDeadline.count());
    } else {
      log_->info("outbox records of revoked partitions settled in {} ms",
                 std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - s0).count());
    }
  }
  log_->info("revoked partitions={} accounts released={} in {} ms", partitions.size(), leaving.size(),
             std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
}

void OwnershipCoordinator::takeOver(const KnownAccount& a) {
  auto generation = fence_.claim(db_, a.account);
  if (!generation.ok()) {
    log_->error("cannot take account={} over: {}", a.account, generation.error().describe());
    return;
  }
  {
    std::lock_guard lock(mutex_);
    running_[a.account] = a;
    stale_.erase(a.account);
  }
  if (auto s = runner_.run(a); !s.ok()) {
    log_->error("account={} taken over (generation {}) but not started: {}", a.account, *generation,
                s.error().describe());
  } else {
    log_->info("running account={} generation={}", a.account, *generation);
  }
  metrics_.gauge("cluster_account_owned", "1 for each account this daemon runs", {{"account", a.account}})
      .set(1);
}

void OwnershipCoordinator::letGo(const std::string& account) {
  KnownAccount a;
  {
    std::lock_guard lock(mutex_);
    auto it = running_.find(account);
    if (it == running_.end()) {
      return;
    }
    a = it->second;
    running_.erase(it);
  }
  if (auto s = runner_.release(a, settings_.releaseDeadline); !s.ok()) {
    log_->warn("account={} released with a problem: {}", account, s.error().describe());
  }
  // Only once its work is settled: from now on its writes from here are refused.
  fence_.drop(account);
  metrics_.gauge("cluster_account_owned", "1 for each account this daemon runs", {{"account", account}})
      .set(0);
}

void OwnershipCoordinator::releaseStale() {
  std::set<std::string> stale;
  {
    std::lock_guard lock(mutex_);
    stale.swap(stale_);
  }
  for (const auto& account : stale) {
    letGo(account);
  }
}

bool OwnershipCoordinator::holds(const std::string& account) const {
  std::lock_guard lock(mutex_);
  return partitions_.count(partitionLocked(account)) != 0;
}

int OwnershipCoordinator::partitionLocked(const std::string& account) const {
  auto placed = placements_.find(account);
  if (placed != placements_.end() && placed->second >= 0 && placed->second < partitionCount_) {
    return placed->second;
  }
  return partitionOf(account, partitionCount_);
}

int OwnershipCoordinator::effectivePartition(const std::string& account) const {
  std::lock_guard lock(mutex_);
  return partitionLocked(account);
}

void OwnershipCoordinator::reloadPlacements() {
  auto loaded = loadPlacements(db_);
  if (!loaded.ok()) {
    log_->warn("moved accounts not read again (the previous list stays): {}", loaded.error().describe());
    return;
  }
  {
    std::lock_guard lock(mutex_);
    placements_ = loaded.value();
  }
  if (outboxScope_) {
    outboxScope_->setPlacements(loaded.value());
  }
}

void OwnershipCoordinator::moveAway(const ControlCommand& c) {
  auto theirs = memberPartitions(db_, c.to);
  if (!theirs.ok() || theirs->empty()) {
    log_->warn("control move account={} to={} refused: no partition of {} is known (is it running and in the "
               "group?)",
               c.account, c.to, c.to);
    return;
  }
  int target = -1;
  {
    std::lock_guard lock(mutex_);
    for (int p : theirs.value()) {
      if (partitions_.count(p) == 0 && p < partitionCount_) {
        target = p;
        break;
      }
    }
  }
  if (target < 0) {
    log_->warn("control move account={} to={} refused: the partitions recorded for {} are held here", c.account,
               c.to, c.to);
    return;
  }
  if (auto s = setPlacement(db_, c.account, target, c.to); !s.ok()) {
    log_->error("control move account={} to={}: {}", c.account, c.to, s.error().describe());
    return;
  }
  // From here the account, its outbox rows included, belongs to the target's partition.
  reloadPlacements();
  letGo(c.account);
  if (settleOutbox_ && !settleOutbox_(std::chrono::steady_clock::now() + settings_.releaseDeadline)) {
    log_->warn("control move account={}: outbox records not settled within {} ms", c.account,
               settings_.releaseDeadline.count());
  }
  log_->info("control move account={} released here; handing it to partition {} ({})", c.account, target, c.to);
  if (auto s = submit(c); !s.ok()) {
    // The placement is recorded: the partition's holder takes the account at its next assignment.
    log_->error("control move account={}: the record for partition {} could not be sent: {}", c.account, target,
                s.error().describe());
  }
}

void OwnershipCoordinator::run() {
  auto lastGauges = std::chrono::steady_clock::now();
  while (!stopping_) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), 100);
    releaseStale();
    if (std::chrono::steady_clock::now() - lastGauges > std::chrono::seconds(1)) {
      // Moves decided by other daemons reach the outbox scope within a second.
      reloadPlacements();
      publishGauges();
      lastGauges = std::chrono::steady_clock::now();
    }
    if (m == nullptr) {
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        log_->warn("control consumer: {}", rd_kafka_message_errstr(m));
      }
      rd_kafka_message_destroy(m);
      continue;
    }
    handleRecord(m);
    (void)storeOffsetAfter(consumer_.get(), m);
    rd_kafka_message_destroy(m);
  }
}

void OwnershipCoordinator::handleRecord(const rd_kafka_message_t* m) {
  std::string_view value(static_cast<const char*>(m->payload), m->payload == nullptr ? 0 : m->len);
  auto parsed = parseControlCommand(value);
  if (!parsed.ok() && parsed.error().code == "cluster.not_ours") {
    return;  // another component's record (tenant administration shares the topic)
  }
  if (!parsed.ok()) {
    metrics_.counter("cluster_control_rejected_total", "Control records refused (unreadable, invalid or not allowed)").inc();
    log_->warn("control record {}@{} refused: {}", m->partition, m->offset, parsed.error().describe());
    if (parsed.error().code != "cluster.unreadable") {
      deadLetter(m, parsed.error());
    }
    return;
  }
  const ControlCommand& c = parsed.value();
  // Another daemon may have moved the account since this one last looked.
  reloadPlacements();
  const int expected = effectivePartition(c.account);
  if (expected != m->partition) {
    // Keyed some other way by its producer: sent on to the partition whose holder owns the account.
    log_->info("control {} for account={} arrived on partition {}; forwarding to partition {}", toString(c.action),
               c.account, m->partition, expected);
    if (auto s = submit(c); !s.ok()) {
      log_->error("control {} for account={} could not be forwarded: {}", toString(c.action), c.account,
                  s.error().describe());
    }
    return;
  }
  metrics_.counter("cluster_control_commands_total", "Control commands carried out",
                   {{"action", toString(c.action)}})
      .inc();
  if (auto s = carryOut(c); !s.ok()) {
    metrics_.counter("cluster_control_rejected_total", "Control records refused (unreadable, invalid or not allowed)").inc();
    log_->warn("control {} account={} refused: {}", toString(c.action), c.account, s.error().describe());
    deadLetter(m, s.error());
  }
}

void OwnershipCoordinator::deadLetter(const rd_kafka_message_t* m, const sdk::Error& error) {
  if (!deadLetters_) {
    return;
  }
  if (auto s = deadLetters_(deadLetterSourceOf(m), error); !s.ok()) {
    log_->error("control record {}@{} could not be dead-lettered (it stays on {} at that offset): {}", m->partition,
                m->offset, controlTopic_, s.error().describe());
  }
}

void OwnershipCoordinator::attachDeadLetters(DeadLetterSink sink) { deadLetters_ = std::move(sink); }

sdk::Status OwnershipCoordinator::carryOut(const ControlCommand& c) {
  const KnownAccount a{c.tenant, c.account};
  log_->info("control {} account={} tenant={}", toString(c.action), c.account, c.tenant);
  switch (c.action) {
    case ControlAction::Add: {
      // Refused before anything of the account is claimed or shown as run here.
      if (auto admitted = runner_.admit(a); !admitted.ok()) {
        return admitted;
      }
      if (auto s = storage::AccountFence::setState(db_, c.account, "active"); !s.ok()) {
        log_->error("control add account={}: {}", c.account, s.error().describe());
        return sdk::okStatus();
      }
      auto generation = fence_.claim(db_, c.account);
      if (!generation.ok()) {
        log_->error("control add account={}: cannot take it over: {}", c.account, generation.error().describe());
        return sdk::okStatus();
      }
      {
        std::lock_guard lock(mutex_);
        running_[c.account] = a;
      }
      if (auto s = runner_.add(a, c.name); !s.ok()) {
        log_->error("control add account={}: {}", c.account, s.error().describe());
      }
      metrics_.gauge("cluster_account_owned", "1 for each account this daemon runs", {{"account", c.account}})
          .set(1);
      return sdk::okStatus();
    }
    case ControlAction::Remove: {
      letGo(c.account);
      if (auto s = runner_.remove(a); !s.ok()) {
        log_->error("control remove account={}: {}", c.account, s.error().describe());
      }
      (void)storage::AccountFence::forget(db_, c.account);
      (void)forgetPlacement(db_, c.account);
      return sdk::okStatus();
    }
    case ControlAction::Pause: {
      if (auto s = storage::AccountFence::setState(db_, c.account, "paused"); !s.ok()) {
        log_->error("control pause account={}: {}", c.account, s.error().describe());
        return sdk::okStatus();
      }
      letGo(c.account);
      return sdk::okStatus();
    }
    case ControlAction::Resume: {
      if (auto s = storage::AccountFence::setState(db_, c.account, "active"); !s.ok()) {
        log_->error("control resume account={}: {}", c.account, s.error().describe());
        return sdk::okStatus();
      }
      bool runs = false;
      {
        std::lock_guard lock(mutex_);
        runs = running_.count(c.account) != 0;
      }
      if (!runs && holds(c.account)) {
        takeOver(a);
      }
      return sdk::okStatus();
    }
    case ControlAction::Move: {
      if (c.to != settings_.instanceId) {
        moveAway(c);  // here at the account's current holder
        return sdk::okStatus();
      }
      // Sent on by the previous holder to a partition of this daemon (or already here): the
      // account is taken over with a new generation, unless it is paused.
      bool runs = false;
      {
        std::lock_guard lock(mutex_);
        runs = running_.count(c.account) != 0;
      }
      if (runs || !holds(c.account)) {
        return sdk::okStatus();
      }
      if (auto rows = storage::AccountFence::list(db_); rows.ok()) {
        for (const auto& r : rows.value()) {
          if (r.account == c.account && r.state == "paused") {
            return sdk::okStatus();
          }
        }
      }
      // The account as the deployment records it (its tenant is not the record's to choose).
      auto known = runner_.accounts();
      if (!known.ok()) {
        log_->error("control move account={}: accounts cannot be listed: {}", c.account, known.error().describe());
        return sdk::okStatus();
      }
      for (const auto& k : known.value()) {
        if (k.account == c.account) {
          takeOver(k);
          return sdk::okStatus();
        }
      }
      log_->warn("control move account={}: no such account here", c.account);
      return sdk::okStatus();
    }
  }
  return sdk::okStatus();
}

sdk::Status OwnershipCoordinator::submit(const ControlCommand& command) {
  if (!producer_ || partitionCount_ == 0) {
    return sdk::Error::retriable("cluster.not_started", "the ownership coordinator is not running");
  }
  const std::string value = encodeControlCommand(command);
  const int partition = effectivePartition(command.account);
  auto err = rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(controlTopic_.c_str()),
                               RD_KAFKA_V_PARTITION(partition),
                               RD_KAFKA_V_KEY(command.account.data(), command.account.size()),
                               RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                               RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                               RD_KAFKA_V_HEADER("content-type", "application/json", -1), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return kafkaError(err, "produce to " + controlTopic_);
  }
  if (rd_kafka_flush(producer_.get(), 10'000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return sdk::Error::retriable("cluster.produce_timeout", "control record for " + command.account +
                                                                " not acknowledged by Kafka within 10 s");
  }
  return sdk::okStatus();
}

OwnershipView OwnershipCoordinator::view() const {
  OwnershipView v;
  v.instance = settings_.instanceId;
  v.partitionCount = partitionCount_;
  v.fencedWrites = fence_.refusals();
  v.rebalances = rebalances_;
  std::lock_guard lock(mutex_);
  v.partitions.assign(partitions_.begin(), partitions_.end());
  for (const auto& [id, a] : running_) {
    v.accounts[id] = fence_.held(id).value_or(0);
  }
  return v;
}

int OwnershipCoordinator::partitionOfAccount(const std::string& account) const {
  return partitionCount_ > 0 ? effectivePartition(account) : -1;
}

void OwnershipCoordinator::publishGauges() {
  std::size_t partitions = 0;
  std::size_t accounts = 0;
  {
    std::lock_guard lock(mutex_);
    partitions = partitions_.size();
    accounts = running_.size();
  }
  metrics_.gauge("cluster_partitions_held", "Partitions of the control topic this daemon holds")
      .set(static_cast<double>(partitions));
  metrics_.gauge("cluster_accounts_owned", "Accounts this daemon runs").set(static_cast<double>(accounts));
}

}  // namespace switchboard::host::cluster
