#pragma once

// A FIFO per tenant, served round robin: each pop takes the oldest item of the next tenant that has
// work, so a tenant with ten thousand items queued delays another tenant's single item by at most
// one item per other busy tenant, not by its whole backlog. Items cost the same (one message, one
// command), so plain round robin is deficit round robin with a quantum of one.
//
// Not thread-safe: the owner holds its own lock around every call.

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace switchboard::host {

template <typename T>
class TenantFairQueue {
 public:
  void push(const std::string& tenant, T item) {
    auto [it, fresh] = queues_.try_emplace(tenant);
    if (it->second.empty()) {
      turns_.push_back(tenant);  // newly active: joins the end of the rotation
    }
    (void)fresh;
    it->second.push_back(std::move(item));
    ++size_;
  }

  /// The oldest item of the tenant whose turn it is; nothing when empty.
  std::optional<T> pop() {
    if (turns_.empty()) {
      return std::nullopt;
    }
    std::string tenant = std::move(turns_.front());
    turns_.pop_front();
    auto it = queues_.find(tenant);
    T item = std::move(it->second.front());
    it->second.pop_front();
    --size_;
    if (it->second.empty()) {
      queues_.erase(it);  // idle tenants cost nothing, however many there are
    } else {
      turns_.push_back(std::move(tenant));
    }
    return item;
  }

  /// Like pop(), skipping tenants for which `eligible(tenant)` is false (they keep their place in
  /// the rotation and their items their order). Costs one check per active tenant at most.
  template <typename Eligible>
  std::optional<T> popEligible(Eligible&& eligible) {
    for (std::size_t n = turns_.size(); n > 0; --n) {
      if (eligible(turns_.front())) {
        return pop();
      }
      turns_.push_back(std::move(turns_.front()));
      turns_.pop_front();
    }
    return std::nullopt;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t size(const std::string& tenant) const {
    auto it = queues_.find(tenant);
    return it == queues_.end() ? 0 : it->second.size();
  }
  /// Tenants with at least one item queued.
  std::size_t activeTenants() const { return turns_.size(); }

 private:
  std::unordered_map<std::string, std::deque<T>> queues_;
  std::deque<std::string> turns_;  // each active tenant exactly once, next to serve first
  std::size_t size_ = 0;
};

}  // namespace switchboard::host
