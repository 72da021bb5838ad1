#include "kafka/tenant_control_consumer.hpp"

#include "common/clock.hpp"
#include "common/logging.hpp"
#include "kafka/dead_letter.hpp"
#include "kafka/envelope.hpp"

namespace switchboard::host {

TenantControlConsumer::TenantControlConsumer(KafkaSettings settings, std::string bootstrap,
                                             std::shared_ptr<Store> store, KafkaMetrics& metrics,
                                             std::function<void()> onQueued,
                                             std::shared_ptr<TenantLifecycle> lifecycle)
    : settings_(std::move(settings)),
      bootstrap_(std::move(bootstrap)),
      store_(std::move(store)),
      lifecycle_(std::move(lifecycle)),
      metrics_(metrics),
      onQueued_(std::move(onQueued)),
      log_(componentLogger("kafka")) {
  settings_.groupId += ".tenancy";
  if (lifecycle_) {
    tenancy_ = lifecycle_->tenancy();
  } else if (store_) {
    auto t = Tenancy::of(store_);
    if (t.ok()) {
      tenancy_ = t.value();
      lifecycle_ = std::make_shared<TenantLifecycle>(store_, tenancy_, nullptr);
    }
  }
}

TenantControlConsumer::~TenantControlConsumer() { stop(); }

sdk::Status TenantControlConsumer::start() {
  if (!tenancy_) {
    return sdk::okStatus();
  }
  auto conf = makeConf(clientProperties(settings_, bootstrap_, RD_KAFKA_CONSUMER));
  SB_TRY(conf);
  routeLogs(conf->get());
  auto client = makeClient(RD_KAFKA_CONSUMER, std::move(conf).value());
  SB_TRY(client);
  consumer_ = std::move(client).value();
  rd_kafka_poll_set_consumer(consumer_.get());
  if (auto s = subscribeTopics(consumer_.get(), {settings_.topicName(topic::kControl)}); !s.ok()) {
    consumer_.reset();
    return s;
  }
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
  return sdk::okStatus();
}

void TenantControlConsumer::stop() {
  stopping_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
  if (consumer_) {
    rd_kafka_consumer_close(consumer_.get());
    consumer_.reset();
  }
}

void TenantControlConsumer::run() {
  while (!stopping_) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_.get(), 100);
    if (m == nullptr) {
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      while (handle(m) == Outcome::Retry && !stopping_) {
        std::this_thread::sleep_for(settings_.retryBackoff);
      }
      if (!stopping_) {
        (void)storeOffsetAfter(consumer_.get(), m);
      }
    } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      log_->warn("control consumer: {}", rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
  }
}

sdk::Status TenantControlConsumer::apply(const TenantControl& c) {
  switch (c.action) {
    case TenantControlAction::Create:
      SB_TRY(tenancy_->create(c.tenant, c.name));
      break;
    case TenantControlAction::Suspend: {
      auto changed = lifecycle_->suspend({c.tenant, "kafka:control", c.reason});
      SB_TRY(changed);
      log_->info("tenant suspended over control tenant={} accounts={} instances={}", c.tenant,
                 changed->accounts.size(), changed->instances.size());
      break;
    }
    case TenantControlAction::Resume: {
      auto changed = lifecycle_->resume({c.tenant, "kafka:control", c.reason});
      SB_TRY(changed);
      log_->info("tenant resumed over control tenant={} accounts={} instances={}", c.tenant,
                 changed->accounts.size(), changed->instances.size());
      break;
    }
    case TenantControlAction::Quotas:
      break;
    case TenantControlAction::Delete: {
      auto removed = lifecycle_->remove({c.tenant, "kafka:control", c.reason}, settings_.tenantExportDir);
      SB_TRY(removed);
      log_->info("tenant deleted over control tenant={} export={} rows={} logged_out={}", c.tenant,
                 removed->deletion.exported.directory, removed->deletion.purged.totalRows,
                 removed->runtime.loggedOut.size());
      break;
    }
  }
  for (const auto& [kind, limit] : c.quotas) {
    SB_TRY(tenancy_->setQuota(c.tenant, kind, limit));
  }
  return sdk::okStatus();
}

TenantControlConsumer::Outcome TenantControlConsumer::handle(const rd_kafka_message_t* m) {
  std::string_view value(static_cast<const char*>(m->payload), m->payload == nullptr ? 0 : m->len);
  auto parsed = parseTenantControl(value);
  if (!parsed.ok()) {
    if (!store_->enqueue({deadLetterRecord(deadLetterSourceOf(m), parsed.error(), "control")}).ok()) {
      return Outcome::Retry;
    }
    metrics_.deadLettered.inc();
    onQueued_();
    return Outcome::Done;
  }
  if (!parsed.value()) {
    return Outcome::Done;  // a scale-out command: not ours
  }
  const TenantControl& c = *parsed.value();
  auto applied = apply(c);
  if (!applied.ok() && applied.error().isRetriable()) {
    log_->warn("control {} for tenant={} retried: {}", toString(c.action), c.tenant, applied.error().describe());
    return Outcome::Retry;
  }
  sdk::CommandResult result;
  result.commandId = !c.requestId.empty() ? c.requestId
                                          : "control:" + std::to_string(m->partition) + ":" + std::to_string(m->offset);
  result.tenant = c.tenant;
  result.stage = applied.ok() ? sdk::ResultStage::Sent : sdk::ResultStage::Failed;
  if (!applied.ok()) {
    result.errorCode = applied.error().code;
    result.reason = applied.error().message;
  }
  result.timestamp = nowMs();
  AuditEntry audit;
  audit.tenant = sdk::kDefaultTenant;  // the operator's log: a deleted tenant's would be purged
  audit.actor = "kafka:control";
  audit.action = toString(c.action);
  audit.subject = c.tenant;
  audit.detail = (applied.ok() ? std::string("done") : "failed " + applied.error().code) +
                 (c.reason.empty() ? "" : " reason=" + c.reason);
  audit.atMs = result.timestamp;
  (void)store_->appendAudit(audit);
  if (!store_->enqueue({resultRecord(result)}).ok()) {
    return Outcome::Retry;
  }
  log_->info("control {} tenant={} {}", toString(c.action), c.tenant,
             applied.ok() ? std::string("done") : applied.error().describe());
  onQueued_();
  return Outcome::Done;
}

}  // namespace switchboard::host
