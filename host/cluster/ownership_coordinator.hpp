#pragma once

// Account ownership across daemons. Every daemon joins one Kafka consumer group on the `control`
// topic; each account belongs to one partition (account_partition.hpp); a daemon runs exactly the
// accounts of the partitions the group assigned to it. With the cooperative assignor (the default)
// a rebalance revokes and assigns only the partitions that change hands. On assignment it takes each account over
// (a new generation in `account_owners`, which fences the previous owner's writes) and connects it;
// when the group takes partitions away it releases their accounts (in-flight work settled, then
// disconnected) inside the rebalance callback, so before the group hands them to another daemon.
// The group is the only arbiter: nothing here elects or locks.
//
// The records of a partition are operators' commands for its accounts (control_command.hpp); the
// daemon holding the partition carries them out.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cluster/account_runner.hpp"
#include "cluster/cluster_config.hpp"
#include "cluster/control_command.hpp"
#include "cluster/partition_assignment.hpp"
#include "cluster/partition_outbox_scope.hpp"
#include "common/logging.hpp"
#include "common/metrics.hpp"
#include "kafka/envelope.hpp"
#include "kafka/rdkafka_util.hpp"
#include "storage/account_fence.hpp"

namespace switchboard::host::cluster {

/// What this daemon holds now (admin API, sbctl, metrics).
struct OwnershipView {
  std::string instance;
  int partitionCount = 0;
  std::vector<int> partitions;                 // held here
  std::map<std::string, long long> accounts;   // run here, with the generation they were taken at
  std::uint64_t fencedWrites = 0;
  std::uint64_t rebalances = 0;
};

class OwnershipCoordinator {
 public:
  /// `consumerProperties` / `producerProperties`: the bridge's client properties (bootstrap,
  /// security); the group settings are ours. `db` and `fence` must outlive the coordinator.
  OwnershipCoordinator(ClusterSettings settings, std::map<std::string, std::string> consumerProperties,
                       std::map<std::string, std::string> producerProperties, std::string controlTopic, storage::Database& db, storage::AccountFence& fence,
                       AccountRunner& runner, MetricsRegistry& metrics);
  ~OwnershipCoordinator();
  OwnershipCoordinator(const OwnershipCoordinator&) = delete;
  OwnershipCoordinator& operator=(const OwnershipCoordinator&) = delete;

  /// Reads the control topic's partition count, joins the group and starts polling. Accounts
  /// connect once the group has assigned partitions (within a few seconds).
  sdk::Status start();
  /// Releases every account run here and leaves the group, so the others take over at once.
  void stop();

  /// Produces `command` to the partition of its account, for whichever daemon holds it.
  sdk::Status submit(const ControlCommand& command);

  /// The outbox rows this daemon produces follow its partitions (`scope`); `settle` waits for the
  /// relay's records in flight (KafkaBridge::settleOutbox). Before start().
  void attachOutbox(std::shared_ptr<PartitionOutboxScope> scope,
                    std::function<bool(std::chrono::steady_clock::time_point)> settle);

  /// Where refused control records go (the `dlq` topic through the outbox): one that does not
  /// parse as a command, or an add over the tenant's accounts quota. Records no JSON reader can
  /// read are the tenant administration's consumer's to dead-letter. Before start().
  using DeadLetterSink = std::function<sdk::Status(const DeadLetterSource&, const sdk::Error&)>;
  void attachDeadLetters(DeadLetterSink sink);

  OwnershipView view() const;
  /// The partition `account` belongs to (needs start()).
  int partitionOfAccount(const std::string& account) const;

 private:
  static void rebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                                void* opaque);
  /// `given`: the whole assignment (eager) or what the group adds (cooperative).
  void onAssigned(RebalanceProtocol protocol, const std::set<int>& given);
  /// `error` from (incremental) assign/unassign, logged and destroyed; nullptr is success.
  void checkAssignCall(rd_kafka_error_t* error, const char* what);
  static rd_kafka_error_t* kafkaStatus(rd_kafka_resp_err_t err);
  void onRevoked(const std::set<int>& partitions);
  void run();
  void handleRecord(const rd_kafka_message_t* m);
  /// An error: the command is refused for good (dead-lettered); passing failures are logged.
  sdk::Status carryOut(const ControlCommand& c);
  void deadLetter(const rd_kafka_message_t* m, const sdk::Error& error);
  /// Claims the account's generation and connects it here, unless it is paused.
  void takeOver(const KnownAccount& account);
  void letGo(const std::string& account);
  void releaseStale();
  void publishGauges();
  bool holds(const std::string& account) const;
  /// The partition `account` belongs to: its hash's, unless an operator moved it (mutex_ held).
  int partitionLocked(const std::string& account) const;
  int effectivePartition(const std::string& account) const;
  /// Reads the moved accounts again (cluster_placements) and hands them to the outbox scope.
  void reloadPlacements();
  /// `move`, at the account's current holder: pins it to a partition of the target, releases it
  /// here, and sends the record on to that partition, whose holder takes it over.
  void moveAway(const ControlCommand& c);

  ClusterSettings settings_;
  std::map<std::string, std::string> consumerProperties_;
  std::map<std::string, std::string> producerProperties_;
  std::string controlTopic_;
  storage::Database& db_;
  storage::AccountFence& fence_;
  AccountRunner& runner_;
  MetricsRegistry& metrics_;
  std::shared_ptr<spdlog::logger> log_;

  std::shared_ptr<PartitionOutboxScope> outboxScope_;
  std::function<bool(std::chrono::steady_clock::time_point)> settleOutbox_;
  DeadLetterSink deadLetters_;
  RdKafkaPtr consumer_;
  RdKafkaPtr producer_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> partitionCount_{0};
  std::atomic<std::uint64_t> rebalances_{0};

  mutable std::mutex mutex_;
  std::set<int> partitions_;
  std::map<std::string, KnownAccount> running_;  // by account id
  std::set<std::string> stale_;                  // accounts whose writes were refused: release them
  Placements placements_;                        // moved accounts (cluster_placements)
};

}  // namespace switchboard::host::cluster
