#pragma once

// Applies CRM-side changes (from an authenticated webhook) to our contacts: last writer wins by
// timestamp (a change older than our contact's last update is dropped), values the contact already
// has change nothing, and what is applied is recorded as held by the CRM, so the contact.updated
// that follows is not sent back (no echo loop).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dialect.hpp"
#include "outbox.hpp"
#include "switchboard/sdk/context.hpp"

namespace switchboard::crm {

struct ApplyReport {
  int applied = 0;
  int stale = 0;      ///< Older than our last change (ours wins)
  int unchanged = 0;  ///< Values we already had (typically the echo of our own upsert)
  int unknown = 0;    ///< No such contact here (contacts are not created from the CRM side)
  std::vector<std::string> errors;
};

class RemoteChanges {
 public:
  RemoteChanges(const Settings& settings, const Dialect& dialect, Outbox& outbox,
                std::shared_ptr<sdk::TenantStorage> storage, sdk::EventBus& events, std::string instance);

  /// Applies each change in order. A storage error stops and is returned (the CRM retries the call).
  sdk::Result<ApplyReport> apply(const std::vector<RemoteChange>& changes, sdk::TimestampMs now);

 private:
  sdk::Result<std::optional<sdk::Contact>> find(const RemoteChange& change);

  const Settings& settings_;
  const Dialect& dialect_;
  Outbox& outbox_;
  std::shared_ptr<sdk::TenantStorage> storage_;
  sdk::EventBus& events_;
  std::string instance_;
};

}  // namespace switchboard::crm
