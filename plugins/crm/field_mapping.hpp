#pragma once

// Our contact fields <-> a CRM's properties, through the configured mapping (our field name ->
// CRM property). Custom fields are named "fields.<key>". Used both ways: outgoing upserts, and
// CRM-side changes arriving on the webhook (the mapping read backwards).

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::crm {

namespace sdk = switchboard::sdk;
using Mapping = std::map<std::string, std::string>;

/// Native: JSON arrays and booleans. Strings: every value a string, lists joined with ';' (HubSpot).
enum class ValueStyle { Native, Strings };

/// The CRM properties for `contact` (only mapped fields; absent custom fields are left out).
nlohmann::json mapContact(const sdk::Contact& contact, const Mapping& mapping, ValueStyle style);

/// Applies CRM properties to `contact` through the mapping read backwards; properties that are
/// not mapped are ignored, and our id and JID never change from the CRM side.
/// @return the names of our fields whose value changed; an error ("crm.webhook_value") naming the
/// property when a value has the wrong type.
sdk::Result<std::vector<std::string>> applyProperties(const nlohmann::json& properties, const Mapping& mapping,
                                                      sdk::Contact& contact);

/// A stable digest of mapped properties: equal digests mean the CRM already holds these values.
std::string fingerprint(const nlohmann::json& properties);

}  // namespace switchboard::crm
