#pragma once

// The Kafka bridge: the embedded broker (optional), topic creation, the outbox relay (producer)
// and the outbound-command consumer, started and stopped together.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/logger.h>

#include "common/metrics.hpp"
#include "kafka/embedded_broker.hpp"
#include "kafka/kafka_config.hpp"
#include "kafka/kafka_metrics.hpp"
#include "kafka/outbox_scope.hpp"
#include "kafka/replay.hpp"
#include "pipeline/command_sink.hpp"
#include "storage/store.hpp"

namespace switchboard::host {

class OutboxRelay;
class CommandConsumer;
class TenantControlConsumer;
class TenantLifecycle;

class KafkaBridge {
 public:
  /// @param section the validated `kafka:` section (kafkaConfigSchema()).
  KafkaBridge(const sdk::ConfigValue& section, std::shared_ptr<Store> store, CommandSink& sink,
              MetricsRegistry& metrics);
  ~KafkaBridge();
  KafkaBridge(const KafkaBridge&) = delete;
  KafkaBridge& operator=(const KafkaBridge&) = delete;

  /// Starts the embedded broker (kafka.embedded) or checks the configuration against the real
  /// cluster, creates topics, starts producer and consumer. A bad property fails here, naming it.
  sdk::Status start();
  /// Stops consuming (committing stored offsets), then gives in-flight records until `deadline`.
  /// Undelivered records stay pending in the outbox.
  void stop(std::chrono::milliseconds deadline);
  /// New outbox rows are waiting: produce them now (the relay also polls).
  void notifyOutbox();
  /// "host:port,..." of the cluster in use (the embedded broker's loopback address when embedded).
  std::string bootstrapServers() const;
  /// True while the outbox is above kafka.outbox_limit: the pipeline should refuse new inbound
  /// work with a Retriable error (the network redelivers) until it drains.
  bool outboxOverLimit() const;

  /// Re-publishes stored inbound messages (original ids) selected by tenant, account,
  /// conversation and time range, through the outbox. Blocks until all are queued (not produced).
  /// For the admin API and sbctl.
  sdk::Result<ReplayReport> replay(const ReplayRequest& request);

  const KafkaSettings& settings() const { return settings_; }
  /// Scale-out: the relay produces only the outbox rows `scope` accepts. Before start().
  void setOutboxScope(std::shared_ptr<const OutboxScope> scope) { outboxScope_ = std::move(scope); }
  /// Tenant suspension, resumption and deletion on `control` go through `lifecycle` (the one the
  /// admin API uses, with the daemon's runtime). Before start(); unset: one of its own, without a
  /// runtime (only the database changes).
  void setTenantLifecycle(std::shared_ptr<TenantLifecycle> lifecycle) { tenantLifecycle_ = std::move(lifecycle); }
  /// Scale-out: waits (until `until`) for every record produced so far to be reported and, if
  /// delivered, deleted from the outbox. False on time-out.
  bool settleOutbox(std::chrono::steady_clock::time_point until);
  /// The embedded broker, or null (tests use it for fault injection).
  EmbeddedBroker* embeddedBroker() { return broker_.get(); }

 private:
  sdk::Status configError_;
  KafkaSettings settings_;
  std::shared_ptr<Store> store_;
  CommandSink& sink_;
  KafkaMetrics metrics_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<EmbeddedBroker> broker_;
  std::string bootstrap_;
  std::unique_ptr<OutboxRelay> relay_;
  std::shared_ptr<const OutboxScope> outboxScope_;
  std::shared_ptr<TenantLifecycle> tenantLifecycle_;
  std::unique_ptr<CommandConsumer> consumer_;
  std::unique_ptr<TenantControlConsumer> tenantControl_;  // tenant.* records on `control`
};

}  // namespace switchboard::host
