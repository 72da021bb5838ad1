#pragma once

// What the plugin learns in the background and strategies read while routing: each tenant's
// trained classifier and its agents' response times. Snapshots are replaced whole, so a reader
// holds a consistent one however long it looks at it; the lock is held only to copy a pointer.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "learned_model.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::routing {

namespace sb = ::switchboard::sdk;

/// Average response time in milliseconds, by agent.
using ResponseTimes = std::map<sb::AgentId, double>;

class RoutingKnowledge {
 public:
  std::shared_ptr<const LearnedModel> model(const sb::TenantId& tenant) const {
    std::lock_guard lock(mutex_);
    auto it = models_.find(tenant);
    return it == models_.end() ? nullptr : it->second;
  }
  void setModel(const sb::TenantId& tenant, std::shared_ptr<const LearnedModel> model) {
    std::lock_guard lock(mutex_);
    models_[tenant] = std::move(model);
  }
  std::shared_ptr<const ResponseTimes> responseTimes(const sb::TenantId& tenant) const {
    std::lock_guard lock(mutex_);
    auto it = responseTimes_.find(tenant);
    return it == responseTimes_.end() ? nullptr : it->second;
  }
  void setResponseTimes(const sb::TenantId& tenant, std::shared_ptr<const ResponseTimes> times) {
    std::lock_guard lock(mutex_);
    responseTimes_[tenant] = std::move(times);
  }

 private:
  mutable std::mutex mutex_;
  std::map<sb::TenantId, std::shared_ptr<const LearnedModel>> models_;
  std::map<sb::TenantId, std::shared_ptr<const ResponseTimes>> responseTimes_;
};

}  // namespace switchboard::routing
