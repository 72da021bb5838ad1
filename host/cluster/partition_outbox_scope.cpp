#include "cluster/partition_outbox_scope.hpp"

#include <pthread.h>

#include <algorithm>

#include "cluster/account_partition.hpp"
#include "common/logging.hpp"

namespace switchboard::host::cluster {

namespace {
constexpr auto kTick = std::chrono::milliseconds(100);
}

PartitionOutboxScope::PartitionOutboxScope(std::chrono::milliseconds stallLimit, std::chrono::milliseconds holdOff)
    : stallLimit_(stallLimit), holdOff_(holdOff), lastTick_(Clock::now()) {
  watchdog_ = std::thread([this] { watch(); });
}

std::shared_ptr<PartitionOutboxScope> PartitionOutboxScope::forCluster(const ClusterSettings& settings) {
  return std::make_shared<PartitionOutboxScope>(
      std::max<std::chrono::milliseconds>(std::chrono::seconds(1), settings.sessionTimeout / 3),
      2 * settings.heartbeatInterval + std::chrono::seconds(1));
}

PartitionOutboxScope::~PartitionOutboxScope() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  watchdog_.join();
}

bool PartitionOutboxScope::produces(const OutboxRecord& record) const {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  // Right after a stop the watchdog may not have run yet: its last tick being old is enough.
  if (count_ == 0 || now - lastTick_ > stallLimit_ || now < holdUntil_) {
    return false;
  }
  int partition = 0;
  if (!record.account.empty()) {
    auto placed = placements_.find(record.account);
    partition = placed != placements_.end() ? placed->second : partitionOf(record.account, count_);
  }
  return partitions_.count(partition) != 0;
}

void PartitionOutboxScope::assign(const std::set<int>& partitions, int count) {
  {
    std::lock_guard lock(mutex_);
    if (partitions == partitions_ && count == count_ && !held_ && holdUntil_ == Clock::time_point{}) {
      // The same set again (a cooperative round that moves nothing here): the relay need not
      // start over, its reads are still exactly this daemon's rows.
      return;
    }
    partitions_ = partitions;
    count_ = count;
    holdUntil_ = {};
    held_ = false;
  }
  version_.fetch_add(1);
}

void PartitionOutboxScope::revoke(const std::set<int>& partitions) {
  {
    std::lock_guard lock(mutex_);
    for (int p : partitions) {
      partitions_.erase(p);
    }
  }
  version_.fetch_add(1);
}

void PartitionOutboxScope::setPlacements(const Placements& placements) {
  {
    std::lock_guard lock(mutex_);
    if (placements == placements_) {
      return;
    }
    placements_ = placements;
  }
  version_.fetch_add(1);
}

bool PartitionOutboxScope::holding() const {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  return now - lastTick_ > stallLimit_ || now < holdUntil_;
}

void PartitionOutboxScope::watch() {
  pthread_setname_np(pthread_self(), "sb-outbox-scope");
  auto log = componentLogger("cluster");
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    cv_.wait_for(lock, kTick, [this] { return stopping_; });
    const auto now = Clock::now();
    const auto gap = now - lastTick_;
    lastTick_ = now;
    if (gap > stallLimit_) {
      holdUntil_ = now + holdOff_;
      held_ = true;
      log->warn("this process did not run for {} ms: producing no outbox rows for {} ms, until the group has "
                "confirmed or revoked its partitions",
                std::chrono::duration_cast<std::chrono::milliseconds>(gap).count(), holdOff_.count());
    } else if (held_ && now >= holdUntil_) {
      // Rows skipped during the hold are read again.
      held_ = false;
      version_.fetch_add(1);
    }
  }
}

}  // namespace switchboard::host::cluster
