#pragma once

// The `kafka:` section of switchboard.yaml: its schema, and the settings the bridge reads from the
// validated tree.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kafka/envelope.hpp"
#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::host {

/// Schema of the `kafka:` section (defaults, ranges, allowed values).
sdk::ConfigSchema kafkaConfigSchema();

struct KafkaSettings {
  bool embedded = true;
  int embeddedBrokers = 1;
  std::vector<std::string> brokers;
  std::string topicPrefix = "switchboard.";
  Format format = Format::Json;
  int partitions = 3;
  int replicationFactor = 1;
  bool createTopics = true;
  std::string groupId = "switchboard-bridge";
  std::string clientId = "switchboard";
  /// librdkafka properties passed through (after properties_files were read). May hold secrets:
  /// never log values.
  std::map<std::string, std::string> properties;
  std::int64_t outboxLimit = 1'000'000;
  int outboxBatch = 500;
  int maxInFlight = 20'000;
  std::chrono::milliseconds pollInterval{200};
  std::chrono::milliseconds messageTimeout{60'000};
  std::chrono::milliseconds lingerMs{5};
  std::chrono::milliseconds sessionTimeout{10'000};
  std::chrono::milliseconds maxPollInterval{60'000};
  std::chrono::milliseconds heartbeatInterval{3'000};
  std::chrono::milliseconds retryBackoff{1'000};
  std::string tenantExportDir = "tenant-exports";  // tenant.delete on `control` exports here

  std::string topicName(const std::string& logical) const { return topicPrefix + logical; }
  /// Tenants with topics of their own: tenant id -> topic prefix (kafka.tenant_topic_prefixes).
  std::map<std::string, std::string> tenantTopicPrefixes;
  /// The topic of a tenant's records: its own prefix when it has one, the deployment's otherwise.
  std::string topicNameFor(const std::string& tenant, const std::string& logical) const {
    auto it = tenantTopicPrefixes.find(tenant);
    return it != tenantTopicPrefixes.end() ? it->second + logical : topicName(logical);
  }
};

/// Reads the validated section. Fails (Permanent) when a properties file cannot be read or when
/// `embedded` is false and no broker is named.
sdk::Result<KafkaSettings> kafkaSettings(const sdk::ConfigValue& section);

/// True for librdkafka property names whose values must never be logged.
bool isSecretProperty(const std::string& name);

}  // namespace switchboard::host
