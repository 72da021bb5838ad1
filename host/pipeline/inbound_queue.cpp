#include "pipeline/inbound_queue.hpp"

namespace switchboard::host {

bool InboundQueue::push(PendingInbound item) {
  {
    std::lock_guard lock(mutex_);
    if (closed_ || items_.size() >= capacity_) {
      return false;
    }
    items_.push_back(std::move(item));
  }
  cv_.notify_one();
  return true;
}

std::vector<PendingInbound> InboundQueue::popBatch(std::size_t max, std::chrono::milliseconds linger) {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return closed_ || !items_.empty(); });
  if (!items_.empty() && items_.size() < max && !closed_ && linger.count() > 0) {
    cv_.wait_for(lock, linger, [&] { return closed_ || items_.size() >= max; });
  }
  std::vector<PendingInbound> out;
  while (!items_.empty() && out.size() < max) {
    out.push_back(std::move(items_.front()));
    items_.pop_front();
  }
  return out;
}

void InboundQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  cv_.notify_all();
}

std::size_t InboundQueue::size() const {
  std::lock_guard lock(mutex_);
  return items_.size();
}

bool InboundQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace switchboard::host
