#include "kafka/kafka_bridge.hpp"

#include "common/logging.hpp"
#include "kafka/command_consumer.hpp"
#include "kafka/outbox_relay.hpp"
#include "kafka/tenant_control_consumer.hpp"
#include "kafka/topic_admin.hpp"

namespace switchboard::host {
namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    out += (out.empty() ? "" : ",") + p;
  }
  return out;
}

}  // namespace

KafkaBridge::KafkaBridge(const sdk::ConfigValue& section, std::shared_ptr<Store> store, CommandSink& sink,
                         MetricsRegistry& metrics)
    : store_(std::move(store)), sink_(sink), metrics_(metrics), log_(componentLogger("kafka")) {
  auto settings = kafkaSettings(section);
  if (settings.ok()) {
    settings_ = std::move(settings).value();
  } else {
    configError_ = settings.takeError();
  }
}

KafkaBridge::~KafkaBridge() { stop(std::chrono::milliseconds(0)); }

sdk::Status KafkaBridge::start() {
  SB_TRY(configError_);
  if (relay_) {
    return sdk::okStatus();  // already running
  }
  if (settings_.embedded) {
    broker_ = std::make_unique<EmbeddedBroker>();
    SB_TRY(broker_->start(settings_.embeddedBrokers));
    for (const auto& t : contractTopics(settings_)) {
      SB_TRY(broker_->createTopic(t, settings_.partitions, settings_.replicationFactor));
    }
    bootstrap_ = broker_->bootstrapServers();
    log_->info("embedded Kafka broker listening bootstrap={} topics={}*", bootstrap_, settings_.topicPrefix);
  } else {
    bootstrap_ = settings_.brokers.empty() ? settings_.properties["bootstrap.servers"] : join(settings_.brokers);
    if (settings_.createTopics) {
      ensureTopics(settings_, bootstrap_);
    }
    log_->info("using Kafka cluster bootstrap={} format={}", bootstrap_, toString(settings_.format));
  }
  relay_ = std::make_unique<OutboxRelay>(settings_, bootstrap_, store_, metrics_);
  relay_->setScope(outboxScope_);
  SB_TRY(relay_->start());
  consumer_ = std::make_unique<CommandConsumer>(settings_, bootstrap_, store_, sink_, metrics_,
                                                [this] { notifyOutbox(); });
  auto status = consumer_->start();
  if (!status.ok()) {
    relay_->stop(std::chrono::milliseconds(0));
    return status;
  }
  tenantControl_ = std::make_unique<TenantControlConsumer>(settings_, bootstrap_, store_, metrics_,
                                                           [this] { notifyOutbox(); }, tenantLifecycle_);
  if (auto s = tenantControl_->start(); !s.ok()) {
    consumer_->stop();
    relay_->stop(std::chrono::milliseconds(0));
    return s;
  }
  return sdk::okStatus();
}

void KafkaBridge::stop(std::chrono::milliseconds deadline) {
  if (tenantControl_) {
    tenantControl_->stop();
    tenantControl_.reset();
  }
  if (consumer_) {
    consumer_->stop();
    consumer_.reset();
  }
  if (relay_) {
    relay_->stop(deadline);
    relay_.reset();
  }
  if (broker_) {
    broker_->stop();
    broker_.reset();
  }
}

void KafkaBridge::notifyOutbox() {
  if (relay_) {
    relay_->notify();
  }
}

std::string KafkaBridge::bootstrapServers() const { return bootstrap_; }

sdk::Result<ReplayReport> KafkaBridge::replay(const ReplayRequest& request) {
  auto report = replayInbound(*store_, request, settings_.outboxLimit, [this] { notifyOutbox(); }, settings_.format);
  if (report.ok()) {
    metrics_.replayed.inc(static_cast<double>(report->messages));
  }
  return report;
}

bool KafkaBridge::settleOutbox(std::chrono::steady_clock::time_point until) {
  return !relay_ || relay_->settle(until);
}

bool KafkaBridge::outboxOverLimit() const { return relay_ && relay_->overLimit(); }

}  // namespace switchboard::host
