#include "cluster/cluster_config.hpp"

namespace switchboard::host::cluster {

using namespace std::chrono_literals;
namespace field = sdk::field;

sdk::ConfigSchema clusterConfigSchema() {
  return {{
      field::boolean("enabled", "Share the accounts with other daemons (needs PostgreSQL and a Kafka cluster)", false),
      field::string("group", "Kafka consumer group of the daemons on the control topic",
                    std::string("switchboard-owners")),
      field::duration("session_timeout", "A daemon silent this long loses its accounts to the others", 10s)
          .range(1'000, 300'000),
      field::duration("heartbeat_interval", "How often a daemon tells the group it is alive", 1s).range(100, 60'000),
      field::duration("max_poll_interval", "Longest pause between polls before the group drops a daemon", 30s)
          .range(1'000, 3'600'000),
      field::duration("release_deadline", "How long handing an account over may wait for its in-flight work", 10s)
          .range(100, 300'000),
      field::string("assignment_strategy",
                    "How the group hands out partitions: cooperative-sticky moves only those that change hands; "
                    "roundrobin and range (eager) revoke every partition at each rebalance. Every daemon of a "
                    "group must use the same",
                    std::string(kCooperativeStrategy))
          .oneOf({kCooperativeStrategy, "roundrobin", "range"}),
  }};
}

sdk::Result<ClusterSettings> clusterSettings(const sdk::ConfigValue& c, const std::string& instanceId,
                                             const std::string& storageUrl, bool kafkaEmbedded) {
  ClusterSettings s;
  s.enabled = c["enabled"].asBool(false);
  s.instanceId = instanceId;
  if (c.has("group")) {
    s.group = c["group"].asString();
  }
  if (c.has("session_timeout")) {
    s.sessionTimeout = c["session_timeout"].asDuration();
  }
  if (c.has("heartbeat_interval")) {
    s.heartbeatInterval = c["heartbeat_interval"].asDuration();
  }
  if (c.has("max_poll_interval")) {
    s.maxPollInterval = c["max_poll_interval"].asDuration();
  }
  if (c.has("release_deadline")) {
    s.releaseDeadline = c["release_deadline"].asDuration();
  }
  if (c.has("assignment_strategy")) {
    s.assignmentStrategy = c["assignment_strategy"].asString();
  }
  if (!s.enabled) {
    return s;
  }
  if (storageUrl.rfind("postgresql://", 0) != 0 && storageUrl.rfind("postgres://", 0) != 0) {
    return sdk::Error::permanent(
        "config", "cluster.enabled: several daemons share their state through PostgreSQL, but storage.url is \"" +
                      storageUrl.substr(0, storageUrl.find(':')) +
                      ":...\"; set storage.url to a postgresql:// URL (SQLite is one daemon's file)");
  }
  if (kafkaEmbedded) {
    return sdk::Error::permanent("config",
                                 "cluster.enabled: the daemons must share one Kafka cluster, but kafka.embedded is "
                                 "true (each daemon would run its own broker); set kafka.embedded: false and "
                                 "kafka.brokers");
  }
  if (s.instanceId.empty() || s.instanceId == "switchboard") {
    return sdk::Error::permanent("config",
                                 "cluster.enabled: daemon.instance_id must name this daemon among the others "
                                 "(e.g. its host name); it is \"" + s.instanceId + "\"");
  }
  if (s.assignmentStrategy != kCooperativeStrategy && s.assignmentStrategy != "roundrobin" &&
      s.assignmentStrategy != "range") {
    return sdk::Error::permanent("config", "cluster.assignment_strategy is \"" + s.assignmentStrategy +
                                               "\"; use cooperative-sticky, roundrobin or range");
  }
  if (s.heartbeatInterval >= s.sessionTimeout) {
    return sdk::Error::permanent("config", "cluster.heartbeat_interval must be shorter than cluster.session_timeout");
  }
  return s;
}

}  // namespace switchboard::host::cluster
