#include "pipeline/inbound_queue.hpp"

#include <algorithm>

namespace switchboard::host {

InboundQueue::InboundQueue(std::size_t capacity, unsigned tenantShare)
    : capacity_(capacity),
      tenantLimit_(std::max<std::size_t>(1, capacity * std::clamp(tenantShare, 1U, 100U) / 100)) {}

InboundQueue::Push InboundQueue::push(PendingInbound item) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      return Push::Closed;
    }
    if (items_.size() >= capacity_) {
      return Push::Full;
    }
    const std::string tenant = item.message.tenant;
    if (items_.size(tenant) >= tenantLimit_) {
      return Push::TenantFull;
    }
    items_.push(tenant, std::move(item));
  }
  cv_.notify_one();
  return Push::Accepted;
}

std::vector<PendingInbound> InboundQueue::popBatch(std::size_t max, std::chrono::milliseconds linger) {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return closed_ || !items_.empty(); });
  if (!items_.empty() && items_.size() < max && !closed_ && linger.count() > 0) {
    cv_.wait_for(lock, linger, [&] { return closed_ || items_.size() >= max; });
  }
  std::vector<PendingInbound> out;
  out.reserve(std::min(max, items_.size()));
  while (out.size() < max) {
    auto next = items_.pop();
    if (!next) {
      break;
    }
    out.push_back(std::move(*next));
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

std::size_t InboundQueue::size(const std::string& tenant) const {
  std::lock_guard lock(mutex_);
  return items_.size(tenant);
}

std::size_t InboundQueue::activeTenants() const {
  std::lock_guard lock(mutex_);
  return items_.activeTenants();
}

bool InboundQueue::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

}  // namespace switchboard::host
