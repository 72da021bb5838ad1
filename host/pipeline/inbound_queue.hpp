#pragma once

// The bounded queue between connectors and the store stage. Full means "push back": the connector
// does not ack, so the network keeps the message and redelivers it.
//
// Tenants share it fairly: messages are taken round robin by tenant (a storm in one tenant does
// not put another tenant's message behind the whole storm), and one tenant may fill only its share
// of the capacity, so the rest stays free for the others instead of pushing them back too.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/tenant_fair_queue.hpp"
#include "switchboard/sdk/context.hpp"

namespace switchboard::host {

struct PendingInbound {
  sdk::InboundMessage message;
  sdk::InboundSink::Done done;
  std::chrono::steady_clock::time_point enqueued;
  // What decrypting the message changed; committed in the message's transaction.
  std::string ciphertextHash;
  std::vector<sdk::SignalRecordWrite> signal;
};

class InboundQueue {
 public:
  /// `tenantShare`: the percentage of `capacity` one tenant may hold (1..100).
  explicit InboundQueue(std::size_t capacity, unsigned tenantShare = 100);

  enum class Push { Accepted, Full, TenantFull, Closed };
  /// Refused when the queue is full, the message's tenant holds its share, or the queue is closed.
  Push push(PendingInbound item);
  /// Up to `max` items; waits up to `linger` for more once the first has arrived, and blocks for
  /// the first until one arrives or the queue is closed (then returns what is left, maybe nothing).
  std::vector<PendingInbound> popBatch(std::size_t max, std::chrono::milliseconds linger);
  /// Refuses new items; popBatch drains what is queued.
  void close();
  std::size_t size() const;
  std::size_t size(const std::string& tenant) const;
  std::size_t activeTenants() const;
  bool closed() const;
  std::size_t tenantLimit() const { return tenantLimit_; }

 private:
  const std::size_t capacity_;
  const std::size_t tenantLimit_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  TenantFairQueue<PendingInbound> items_;
  bool closed_ = false;
};

}  // namespace switchboard::host
