#pragma once

// The durable queue of CRM deliveries and its dead-letter table, kept in the plugin's key/value
// state (one namespace per instance, in the tenant's database), so nothing queued is lost when
// the daemon stops: an item leaves the queue only once the CRM has acknowledged it, or into the
// dead-letter table with the reason. Keys:
//   q/<seq>        pending item (JSON), <seq> zero-padded so keys sort in arrival order
//   dl/<seq>       dead-lettered item with its reason
//   meta/next      the next sequence number
//   id/<contact>   the CRM's id of one of our contacts (learned from upsert answers)
//   rid/<crm id>   the reverse (webhooks name CRM ids)
//   fp/<contact>   fingerprint of the properties the CRM is known to hold (echo suppression)

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/storage.hpp"

namespace switchboard::crm {

namespace sdk = switchboard::sdk;

/// One change to mirror. Contact upserts carry no values: they are read when sent, so the CRM gets
/// the contact as it is then.
struct OutboxItem {
  std::uint64_t seq = 0;
  std::string event;         ///< The event type that produced it ("contact.updated", ...)
  std::string contact;       ///< Our contact id
  std::string conversation;
  std::string text;          ///< Note text, or a closing's summary
  std::string author;
  std::string agent;         ///< For assignments
  sdk::TimestampMs at = 0;   ///< When the change happened
  int attempts = 0;          ///< Failed attempts so far (429s are not counted)
  sdk::TimestampMs due = 0;  ///< Not before this time
  std::string lastError;
};

struct DeadLetter {
  OutboxItem item;
  std::string reason;
  sdk::TimestampMs at = 0;
};

class Outbox {
 public:
  Outbox(std::shared_ptr<sdk::TenantStorage> storage, std::string ns);

  /// Appends an item (its seq is assigned here) and returns the seq.
  sdk::Result<std::uint64_t> push(OutboxItem item);
  /// The oldest pending item.
  sdk::Result<std::optional<OutboxItem>> head();
  /// Pending items, oldest first (at most `limit`).
  sdk::Result<std::vector<OutboxItem>> pending(int limit);
  /// Stores changed attempts, due time and last error.
  sdk::Status update(const OutboxItem& item);
  /// Removes an acknowledged item.
  sdk::Status remove(std::uint64_t seq);
  /// Moves an item to the dead-letter table with the reason.
  sdk::Status deadLetter(const OutboxItem& item, const std::string& reason, sdk::TimestampMs now);
  sdk::Result<std::vector<DeadLetter>> deadLetters(int limit);

  sdk::Result<std::optional<std::string>> crmId(const std::string& contact);
  sdk::Result<std::optional<std::string>> contactOfCrmId(const std::string& crmId);
  sdk::Status setCrmId(const std::string& contact, const std::string& crmId);
  sdk::Result<std::optional<std::string>> syncedFingerprint(const std::string& contact);
  sdk::Status setSyncedFingerprint(const std::string& contact, const std::string& fingerprint);

  /// Decoding of stored items (exposed for tests); an error for rows that are not ours.
  static sdk::Result<OutboxItem> decode(const std::string& text);
  static std::string encode(const OutboxItem& item);

 private:
  static std::string seqKey(const char* prefix, std::uint64_t seq);
  std::shared_ptr<sdk::TenantStorage> storage_;
  std::string ns_;
  std::optional<std::uint64_t> next_;
};

}  // namespace switchboard::crm
