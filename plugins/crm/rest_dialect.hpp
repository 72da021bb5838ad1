#pragma once

// A generic REST CRM, shaped by configuration: contacts upserted with `contact_method
// contact_path` (the key in the path, and in the body's `key_field` when set), created with
// `create_method create_path` when the upsert answers 404 (a CRM whose update does not create),
// notes and activities POSTed under the contact. Webhook
// bodies: {"changes":[{"key" or "crm_id": "...", "updated_at": <ms>, "properties": {...}}]}.

#include "dialect.hpp"

namespace switchboard::crm {

class RestDialect final : public Dialect {
 public:
  using Dialect::Dialect;
  sdk::Result<PreparedCall> next(const OutboxItem& item, const sdk::Contact& contact,
                                 const std::optional<std::string>& crmId) const override;
  std::optional<sdk::HttpCall> createAfterMissing(const OutboxItem& item, const sdk::Contact& contact) const override;
  std::optional<std::string> crmIdFromUpsert(const std::string& body) const override;
  sdk::Result<std::vector<RemoteChange>> parseWebhook(const std::string& body) const override;
  nlohmann::json properties(const sdk::Contact& contact) const override;
};

/// The most changes one webhook call may carry.
inline constexpr std::size_t kMaxWebhookChanges = 1000;

}  // namespace switchboard::crm
