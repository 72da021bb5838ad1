#pragma once

// The bounded queue between connectors and the store stage. Full means "push back": the connector
// does not ack, so the network keeps the message and redelivers it.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

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
  explicit InboundQueue(std::size_t capacity) : capacity_(capacity) {}

  /// false when full or closed.
  bool push(PendingInbound item);
  /// Up to `max` items; waits up to `linger` for more once the first has arrived, and blocks for
  /// the first until one arrives or the queue is closed (then returns what is left, maybe nothing).
  std::vector<PendingInbound> popBatch(std::size_t max, std::chrono::milliseconds linger);
  /// Refuses new items; popBatch drains what is queued.
  void close();
  std::size_t size() const;
  bool closed() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<PendingInbound> items_;
  bool closed_ = false;
};

}  // namespace switchboard::host
