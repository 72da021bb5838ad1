#pragma once

// How one CRM API is spoken: the requests for an outbox item, the CRM id in an upsert's answer,
// and the webhook body's changes. The delivery machinery (outbox, retries, rate limits,
// dead-letters, webhook checks) is shared; a dialect only shapes requests and reads answers.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crm_config.hpp"
#include "field_mapping.hpp"
#include "outbox.hpp"
#include "switchboard/sdk/http_client.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::crm {

/// What an outbox item turns into on the CRM side.
enum class ItemKind { ContactUpsert, Note, Activity };
/// @return the kind for an event type the plugin mirrors.
ItemKind kindOf(const std::string& eventType);

struct PreparedCall {
  sdk::HttpCall call;
  bool contactUpsert = false;  ///< Its answer may carry the contact's CRM id
};

/// A CRM-side change to one contact, from a webhook.
struct RemoteChange {
  enum class By { Key, CrmId } by = By::Key;  ///< Key: the upsert key (phone or our id)
  std::string id;
  sdk::TimestampMs updatedAt = 0;
  nlohmann::json properties = nlohmann::json::object();
};

class Dialect {
 public:
  Dialect(const Settings& settings, std::string idempotencyPrefix);
  virtual ~Dialect() = default;

  /// The next request for `item`. A note on a CRM that needs the contact's id, while the id is
  /// unknown, first gets the contact's upsert (contactUpsert set); the caller then asks again.
  /// Errors are permanent: the item cannot be sent as it is (no phone number to upsert by, ...).
  virtual sdk::Result<PreparedCall> next(const OutboxItem& item, const sdk::Contact& contact,
                                         const std::optional<std::string>& crmId) const = 0;
  /// The request creating `contact` after its upsert answered 404, when the CRM creates contacts
  /// elsewhere than it updates them. None: the 404 is final.
  virtual std::optional<sdk::HttpCall> createAfterMissing(const OutboxItem& /*item*/,
                                                          const sdk::Contact& /*contact*/) const {
    return std::nullopt;
  }
  /// The CRM id in a successful upsert's answer, when it carries one.
  virtual std::optional<std::string> crmIdFromUpsert(const std::string& body) const = 0;
  /// The changes in a webhook body (already authenticated). Errors: "crm.webhook_body".
  virtual sdk::Result<std::vector<RemoteChange>> parseWebhook(const std::string& body) const = 0;
  /// The properties an upsert of `contact` sends (what the CRM holds after it).
  virtual nlohmann::json properties(const sdk::Contact& contact) const = 0;

  /// The upsert key of a contact: its phone number or our id. Empty when it has none.
  std::string keyOf(const sdk::Contact& contact) const;

 protected:
  sdk::HttpCall baseCall(const std::string& method, const std::string& path, const OutboxItem& item) const;
  Settings settings_;  // a copy: a dialect may outlive the settings it was made from
  std::string idempotencyPrefix_;
  std::string authorization_;
};

std::unique_ptr<Dialect> makeDialect(const Settings& settings, const std::string& instance);

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay).
std::string encodeSegment(const std::string& text);

}  // namespace switchboard::crm
