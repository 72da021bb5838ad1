#pragma once

// The `cluster:` section of switchboard.yaml: several daemons sharing one Kafka cluster and one
// PostgreSQL, each account run by exactly one of them (see README.md, "Scale-out").

#include <chrono>
#include <string>

#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::host::cluster {

struct ClusterSettings {
  bool enabled = false;
  std::string instanceId;  // daemon.instance_id: this daemon's name among the others
  std::string group = "switchboard-owners";
  std::chrono::milliseconds sessionTimeout{10'000};
  std::chrono::milliseconds heartbeatInterval{1'000};
  std::chrono::milliseconds maxPollInterval{30'000};
  std::chrono::milliseconds releaseDeadline{10'000};
  // The group's partition assignor. cooperative-sticky (incremental): a daemon joining or leaving
  // moves only the partitions that change hands; the eager ones (roundrobin, range) make every
  // daemon give back, and reconnect, all its accounts at each rebalance.
  std::string assignmentStrategy = "cooperative-sticky";
};

/// The assignors a deployment may choose (one, never a mix: librdkafka refuses eager and
/// cooperative ones together).
inline constexpr const char* kCooperativeStrategy = "cooperative-sticky";

sdk::ConfigSchema clusterConfigSchema();

/// Reads the validated `cluster` section. With `enabled`, refuses (Permanent, code "config") a
/// storage URL that is not PostgreSQL and an embedded Kafka broker, each in a sentence that says
/// what to change: daemons share their state through PostgreSQL and their ownership through one
/// Kafka cluster.
sdk::Result<ClusterSettings> clusterSettings(const sdk::ConfigValue& cluster, const std::string& instanceId,
                                             const std::string& storageUrl, bool kafkaEmbedded);

}  // namespace switchboard::host::cluster
