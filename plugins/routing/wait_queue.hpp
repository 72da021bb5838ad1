#pragma once

// Conversations nobody could take yet, per tenant, in arrival order: the position a waiting
// customer is told, and the order in which they are offered again when an agent frees up.
// Manual conversations wait here too (for their position) but are never offered automatically.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "switchboard/sdk/types.hpp"

namespace switchboard::routing {

namespace sb = ::switchboard::sdk;

class WaitQueue {
 public:
  struct Entry {
    sb::ConversationId conversation;
    bool manual = false;
  };

  /// @return the 1-based position, and whether it was newly added (false: already waiting).
  std::pair<std::size_t, bool> add(const sb::TenantId& tenant, const sb::ConversationId& id, bool manual) {
    auto& q = queues_[tenant];
    for (std::size_t i = 0; i < q.size(); ++i) {
      if (q[i].conversation == id) {
        q[i].manual = manual;
        return {i + 1, false};
      }
    }
    q.push_back({id, manual});
    return {q.size(), true};
  }

  bool remove(const sb::TenantId& tenant, const sb::ConversationId& id) {
    auto it = queues_.find(tenant);
    if (it == queues_.end()) {
      return false;
    }
    auto& q = it->second;
    auto e = std::find_if(q.begin(), q.end(), [&](const Entry& x) { return x.conversation == id; });
    if (e == q.end()) {
      return false;
    }
    q.erase(e);
    return true;
  }

  std::vector<Entry> waiting(const sb::TenantId& tenant) const {
    auto it = queues_.find(tenant);
    return it == queues_.end() ? std::vector<Entry>{} : it->second;
  }

  std::vector<sb::TenantId> tenants() const {
    std::vector<sb::TenantId> out;
    for (const auto& [t, q] : queues_) {
      if (!q.empty()) {
        out.push_back(t);
      }
    }
    return out;
  }

  std::size_t size() const {
    std::size_t n = 0;
    for (const auto& [t, q] : queues_) {
      n += q.size();
    }
    return n;
  }

 private:
  std::map<sb::TenantId, std::vector<Entry>> queues_;
};

}  // namespace switchboard::routing
