#include "remote_changes.hpp"

namespace switchboard::crm {

RemoteChanges::RemoteChanges(const Settings& settings, const Dialect& dialect, Outbox& outbox,
                             std::shared_ptr<sdk::TenantStorage> storage, sdk::EventBus& events, std::string instance)
    : settings_(settings),
      dialect_(dialect),
      outbox_(outbox),
      storage_(std::move(storage)),
      events_(events),
      instance_(std::move(instance)) {}

sdk::Result<std::optional<sdk::Contact>> RemoteChanges::find(const RemoteChange& change) {
  if (change.by == RemoteChange::By::CrmId) {
    auto ours = outbox_.contactOfCrmId(change.id);
    SB_TRY(ours);
    if (!ours.value()) {
      return std::optional<sdk::Contact>();
    }
    return storage_->getContact(*ours.value());
  }
  if (settings_.upsertBy == UpsertKey::Phone) {
    return storage_->findContactByPhone(change.id);
  }
  return storage_->getContact(change.id);
}

sdk::Result<ApplyReport> RemoteChanges::apply(const std::vector<RemoteChange>& changes, sdk::TimestampMs now) {
  ApplyReport report;
  for (const auto& change : changes) {
    auto found = find(change);
    SB_TRY(found);
    if (!found.value()) {
      ++report.unknown;
      continue;
    }
    const sdk::Contact& current = *found.value();
    if (change.updatedAt <= current.updatedAt) {
      ++report.stale;
      continue;
    }
    sdk::Contact next = current;
    auto changed = applyProperties(change.properties, settings_.mapping, next);
    if (!changed.ok()) {
      report.errors.push_back(change.id + ": " + changed.error().message);
      continue;
    }
    if (changed->empty()) {
      ++report.unchanged;
      continue;
    }
    auto stored = storage_->upsertContact(next);
    SB_TRY(stored);
    // The CRM holds these values now: the update we announce must not travel back to it.
    SB_TRY(outbox_.setSyncedFingerprint(stored->id, fingerprint(dialect_.properties(stored.value()))));
    ++report.applied;

    sdk::Event e;
    e.type = "contact.updated";
    e.tenant = settings_.tenant;
    e.subject = stored->id;
    e.timestamp = now;
    std::string names;
    for (const auto& n : changed.value()) {
      names += (names.empty() ? "" : ",") + n;
    }
    e.attributes = {{"phone", stored->phone}, {"name", stored->name}, {"changed", names}, {"origin", instance_}};
    events_.publish(e);
  }
  return report;
}

}  // namespace switchboard::crm
