#pragma once

// The built-in HubSpot mapping (CRM v3 objects API): contacts upserted in a batch of one by
// idProperty (phone, or the external-id property), string-valued properties, notes (and closings
// and assignments, written as notes) created as note objects associated with the contact's HubSpot
// id. Webhook bodies are HubSpot's arrays of contact.propertyChange events.

#include "dialect.hpp"

namespace switchboard::crm {

class HubSpotDialect final : public Dialect {
 public:
  using Dialect::Dialect;
  sdk::Result<PreparedCall> next(const OutboxItem& item, const sdk::Contact& contact,
                                 const std::optional<std::string>& crmId) const override;
  std::optional<std::string> crmIdFromUpsert(const std::string& body) const override;
  sdk::Result<std::vector<RemoteChange>> parseWebhook(const std::string& body) const override;
  nlohmann::json properties(const sdk::Contact& contact) const override;

  static constexpr const char* kUpsertPath = "/crm/v3/objects/contacts/batch/upsert";
  static constexpr const char* kNotesPath = "/crm/v3/objects/notes";
  static constexpr int kNoteToContact = 202;  ///< HubSpot's association type id, note -> contact
};

}  // namespace switchboard::crm
