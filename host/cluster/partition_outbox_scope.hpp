#pragma once

// Scale-out: the outbox rows this daemon produces are those of the `control` partitions the group
// gave it. A row belongs to the partition of its account (account_partition.hpp), a row with no
// account to partition 0. Each row is thus produced by exactly one daemon, order per conversation
// holds (a conversation belongs to one account), and when a partition moves its pending rows move
// with it: the new holder starts over from the oldest pending row (OutboxScope::version).
//
// A daemon that was stopped (SIGSTOP, a frozen VM) may have lost its partitions without knowing
// it yet. A watchdog thread ticks every 100 ms; a gap between ticks longer than `stallLimit`
// means the process did not run, and the scope then produces nothing until the group has had
// `holdOff` to tell the coordinator (a revocation or a new assignment ends the doubt earlier).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "cluster/account_placement.hpp"
#include "cluster/cluster_config.hpp"
#include "kafka/outbox_scope.hpp"

namespace switchboard::host::cluster {

class PartitionOutboxScope final : public OutboxScope {
 public:
  using Clock = std::chrono::steady_clock;

  PartitionOutboxScope(std::chrono::milliseconds stallLimit, std::chrono::milliseconds holdOff);
  /// A stall is a third of the session timeout (at least 1 s); the hold lasts two heartbeats and
  /// a second: after a stop the first heartbeat tells librdkafka whether the group dropped us.
  static std::shared_ptr<PartitionOutboxScope> forCluster(const ClusterSettings& settings);
  ~PartitionOutboxScope() override;
  PartitionOutboxScope(const PartitionOutboxScope&) = delete;
  PartitionOutboxScope& operator=(const PartitionOutboxScope&) = delete;

  std::uint64_t version() const override { return version_.load(); }
  bool produces(const OutboxRecord& record) const override;

  /// The group assigned `partitions` (of `count`), the whole set held: authoritative, so any hold
  /// after a stall ends. The same set again, with no hold to end, changes nothing.
  void assign(const std::set<int>& partitions, int count);
  /// The group took `partitions` away (or they were lost).
  void revoke(const std::set<int>& partitions);
  /// Accounts moved to another partition than their hash's (operators' `move`).
  void setPlacements(const Placements& placements);
  /// Whether a stall hold is in force now (for tests and logs).
  bool holding() const;

 private:
  void watch();

  const std::chrono::milliseconds stallLimit_;
  const std::chrono::milliseconds holdOff_;
  std::atomic<std::uint64_t> version_{1};

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::set<int> partitions_;
  Placements placements_;
  int count_ = 0;
  Clock::time_point lastTick_;
  Clock::time_point holdUntil_{};
  bool held_ = false;  // a hold was started and has not ended yet (its end bumps the version)
  std::thread watchdog_;
};

}  // namespace switchboard::host::cluster
