#include "kafka/kafka_config.hpp"

#include <fstream>
#include <sstream>

namespace switchboard::host {

namespace field = sdk::field;
using namespace std::chrono_literals;

sdk::ConfigSchema kafkaConfigSchema() {
  sdk::ConfigSchema s;
  s.fields = {
      field::boolean("embedded", "Run librdkafka's in-process mock cluster on loopback (demo and tests)", true),
      field::integer("embedded_brokers", "Number of brokers in the embedded cluster", 1).range(1, 5),
      field::stringList("brokers", "Bootstrap servers of a real cluster (host:port); used when embedded is false"),
      field::string("topic_prefix", "Prefix of every topic name", std::string("switchboard.")),
      field::string("format", "Record value format", std::string("json")).oneOf({"json", "protobuf"}),
      field::integer("partitions", "Partitions of topics the bridge creates", 3).range(1, 1024),
      field::integer("replication_factor", "Replication factor of topics the bridge creates", 1).range(1, 16),
      field::boolean("create_topics", "Create missing topics at start (ignored when the cluster forbids it)", true),
      field::string("group_id", "Consumer group of the outbound-command consumer",
                    std::string("switchboard-bridge")),
      field::string("client_id", "client.id of the bridge's clients", std::string("switchboard")),
      field::stringMap("tenant_topic_prefixes",
                       "Tenants with topics of their own: tenant id -> topic prefix (its records go to <prefix>inbound,"
                       " <prefix>events..., its commands are read from <prefix>outbound)"),
      field::string("tenant_export_dir",
                    "Where a tenant deleted by a tenant.delete record on `control` is exported (as admin.tenant_export_dir)",
                    std::string("tenant-exports")),
      field::stringMap("properties",
                       "librdkafka properties passed through (security.protocol, sasl.*, ssl.*, ...)"),
      field::stringMap("properties_files",
                       "librdkafka properties whose value is read from a file (sasl.password: /run/credentials/...)"),
      field::integer("outbox_limit", "Outbox depth above which the bridge raises its alarm and refuses new work",
                     1'000'000)
          .atLeast(1),
      field::integer("outbox_batch", "Records read from the outbox per query", 500).range(1, 100'000),
      field::integer("max_in_flight", "Records handed to librdkafka and not yet acknowledged (memory bound)",
                     20'000)
          .range(1, 1'000'000),
      field::duration("poll_interval", "How often the relay looks at the outbox when nobody wakes it", 200ms)
          .range(1, 60'000),
      field::duration("message_timeout", "librdkafka message.timeout.ms; a timed-out record is produced again",
                      60'000ms)
          .range(1'000, 3'600'000),
      field::duration("linger", "librdkafka linger.ms (batching delay)", 5ms).range(0, 10'000),
      field::duration("session_timeout", "Consumer group session timeout", 10'000ms).range(1'000, 300'000),
      field::duration("max_poll_interval", "Consumer max.poll.interval.ms", 60'000ms).range(1'000, 3'600'000),
      field::duration("heartbeat_interval", "Consumer heartbeat interval", 3'000ms).range(100, 60'000),
      field::duration("retry_backoff", "Pause before retrying after a database or broker error", 1'000ms)
          .range(10, 600'000),
  };
  return s;
}

bool isSecretProperty(const std::string& name) {
  for (const char* word : {"password", "secret", "key", "token", "jaas"}) {
    if (name.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

sdk::Result<KafkaSettings> kafkaSettings(const sdk::ConfigValue& c) {
  KafkaSettings s;
  s.embedded = c["embedded"].asBool(true);
  s.embeddedBrokers = static_cast<int>(c["embedded_brokers"].asInt(1));
  for (const auto& b : c["brokers"].asList()) {
    s.brokers.push_back(b.asString());
  }
  if (c.has("topic_prefix")) {
    s.topicPrefix = c["topic_prefix"].asString();
  }
  s.format = parseFormat(c["format"].asString());
  s.partitions = static_cast<int>(c["partitions"].asInt(3));
  s.replicationFactor = static_cast<int>(c["replication_factor"].asInt(1));
  s.createTopics = c["create_topics"].asBool(true);
  for (const auto& [tenant, prefix] : c["tenant_topic_prefixes"].asMap()) {
    if (prefix.asString().empty() || prefix.asString() == s.topicPrefix) {
      return sdk::Error::permanent("config.kafka", "kafka.tenant_topic_prefixes." + tenant +
                                                       ": a tenant's prefix must be non-empty and differ from topic_prefix");
    }
    s.tenantTopicPrefixes[tenant] = prefix.asString();
  }
  if (c.has("tenant_export_dir")) {
    s.tenantExportDir = c["tenant_export_dir"].asString();
  }
  if (!c["group_id"].asString().empty()) {
    s.groupId = c["group_id"].asString();
  }
  if (!c["client_id"].asString().empty()) {
    s.clientId = c["client_id"].asString();
  }
  for (const auto& [k, v] : c["properties"].asMap()) {
    s.properties[k] = v.asString();
  }
  for (const auto& [k, v] : c["properties_files"].asMap()) {
    std::ifstream in(v.asString(), std::ios::binary);
    if (!in) {
      return sdk::Error::permanent("config.kafka", "kafka.properties_files." + k + ": cannot read " + v.asString());
    }
    std::stringstream buf;
    buf << in.rdbuf();
    std::string value = buf.str();
    // Files written by editors and systemd-creds end with a newline that is not part of the secret.
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) {
      value.pop_back();
    }
    s.properties[k] = value;
  }
  s.outboxLimit = c["outbox_limit"].asInt(s.outboxLimit);
  s.outboxBatch = static_cast<int>(c["outbox_batch"].asInt(s.outboxBatch));
  s.maxInFlight = static_cast<int>(c["max_in_flight"].asInt(s.maxInFlight));
  auto dur = [&c](const char* key, std::chrono::milliseconds fallback) {
    return c.has(key) ? c[key].asDuration() : fallback;
  };
  s.pollInterval = dur("poll_interval", s.pollInterval);
  s.messageTimeout = dur("message_timeout", s.messageTimeout);
  s.lingerMs = dur("linger", s.lingerMs);
  s.sessionTimeout = dur("session_timeout", s.sessionTimeout);
  s.maxPollInterval = dur("max_poll_interval", s.maxPollInterval);
  s.heartbeatInterval = dur("heartbeat_interval", s.heartbeatInterval);
  s.retryBackoff = dur("retry_backoff", s.retryBackoff);
  if (!s.embedded && s.brokers.empty() && s.properties.count("bootstrap.servers") == 0) {
    return sdk::Error::permanent("config.kafka", "kafka.brokers: required when kafka.embedded is false");
  }
  return s;
}

}  // namespace switchboard::host
