#pragma once

// Consumes `control` for tenant administration (kafka/tenant_control.hpp) in its own consumer
// group (`<group_id>.tenancy`), so it sees every partition whatever the scale-out consumer of the
// same topic does. Each request is applied to the database (every daemon sees the change within
// a second) and answered on `results`, keyed by its request id: stage SENT when done, FAILED with
// the error code otherwise. A record with a "tenant." action that does not parse goes to `dlq`.
// Suspension, resumption and deletion go through the TenantLifecycle, as the admin API's do.

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include <spdlog/logger.h>

#include "kafka/kafka_config.hpp"
#include "kafka/kafka_metrics.hpp"
#include "kafka/rdkafka_util.hpp"
#include "kafka/tenant_control.hpp"
#include "storage/store.hpp"
#include "storage/tenancy.hpp"
#include "storage/tenant_lifecycle.hpp"

namespace switchboard::host {

class TenantControlConsumer {
 public:
  TenantControlConsumer(KafkaSettings settings, std::string bootstrap, std::shared_ptr<Store> store,
                        KafkaMetrics& metrics, std::function<void()> onQueued,
                        std::shared_ptr<TenantLifecycle> lifecycle = nullptr);
  ~TenantControlConsumer();
  TenantControlConsumer(const TenantControlConsumer&) = delete;
  TenantControlConsumer& operator=(const TenantControlConsumer&) = delete;

  /// Does nothing (and succeeds) on a store without tenancy.
  sdk::Status start();
  void stop();

  /// Applies one request; the result's error says why it failed. (Public for tests.)
  sdk::Status apply(const TenantControl& control);

 private:
  enum class Outcome { Done, Retry };
  void run();
  Outcome handle(const rd_kafka_message_t* m);

  KafkaSettings settings_;
  std::string bootstrap_;
  std::shared_ptr<Store> store_;
  std::shared_ptr<Tenancy> tenancy_;
  std::shared_ptr<TenantLifecycle> lifecycle_;
  KafkaMetrics& metrics_;
  std::function<void()> onQueued_;
  std::shared_ptr<spdlog::logger> log_;
  RdKafkaPtr consumer_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace switchboard::host
