#include "hubspot_dialect.hpp"

#include "rest_dialect.hpp"

namespace switchboard::crm {
namespace {

std::string noteBody(const OutboxItem& item) {
  if (item.event == "conversation.closed") {
    return "WhatsApp conversation " + item.conversation + " closed." + (item.text.empty() ? "" : "\n" + item.text);
  }
  if (item.event == "conversation.assigned" || item.event == "conversation.transferred") {
    return "WhatsApp conversation " + item.conversation + " assigned to " + item.agent + ".";
  }
  return item.author.empty() ? item.text : item.author + ": " + item.text;
}

sdk::Error bodyError(const std::string& message) { return sdk::Error::permanent("crm.webhook_body", message); }

}  // namespace

nlohmann::json HubSpotDialect::properties(const sdk::Contact& contact) const {
  auto props = mapContact(contact, settings_.mapping, ValueStyle::Strings);
  if (!props.contains(settings_.externalIdProperty)) {
    props[settings_.externalIdProperty] = contact.id;
  }
  return props;
}

sdk::Result<PreparedCall> HubSpotDialect::next(const OutboxItem& item, const sdk::Contact& contact,
                                               const std::optional<std::string>& crmId) const {
  PreparedCall out;
  if (kindOf(item.event) == ItemKind::ContactUpsert || !crmId) {
    const auto key = keyOf(contact);
    if (key.empty()) {
      return sdk::Error::permanent("crm.no_key", "contact \"" + contact.id + "\" has no phone number to upsert by");
    }
    const std::string idProperty = settings_.upsertBy == UpsertKey::Phone ? "phone" : settings_.externalIdProperty;
    nlohmann::json input = {{"idProperty", idProperty}, {"id", key}, {"properties", properties(contact)}};
    out.call = baseCall("POST", kUpsertPath, item);
    out.call.body = nlohmann::json{{"inputs", nlohmann::json::array({input})}}.dump();
    out.contactUpsert = true;
    return out;
  }
  nlohmann::json note = {
      {"properties", {{"hs_note_body", noteBody(item)}, {"hs_timestamp", std::to_string(item.at)}}},
      {"associations", nlohmann::json::array({{{"to", {{"id", *crmId}}},
                                               {"types", nlohmann::json::array({{{"associationCategory", "HUBSPOT_DEFINED"},
                                                                                 {"associationTypeId", kNoteToContact}}})}}})}};
  out.call = baseCall("POST", kNotesPath, item);
  out.call.body = note.dump();
  return out;
}

std::optional<std::string> HubSpotDialect::crmIdFromUpsert(const std::string& body) const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("results") || !j["results"].is_array() ||
      j["results"].empty() || !j["results"][0].is_object() || !j["results"][0].contains("id")) {
    return std::nullopt;
  }
  const auto& id = j["results"][0]["id"];
  if (id.is_string() && !id.get<std::string>().empty()) {
    return id.get<std::string>();
  }
  if (id.is_number_integer()) {
    return std::to_string(id.get<long long>());
  }
  return std::nullopt;
}

sdk::Result<std::vector<RemoteChange>> HubSpotDialect::parseWebhook(const std::string& body) const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    return bodyError("a HubSpot webhook body must be an array of events");
  }
  if (j.size() > kMaxWebhookChanges) {
    return bodyError("a webhook call carries at most " + std::to_string(kMaxWebhookChanges) + " events");
  }
  std::vector<RemoteChange> out;
  for (const auto& e : j) {
    if (!e.is_object() || !e.contains("subscriptionType") || !e["subscriptionType"].is_string()) {
      return bodyError("each HubSpot event must be an object with a subscriptionType");
    }
    if (e["subscriptionType"].get<std::string>() != "contact.propertyChange") {
      continue;  // creations, deletions, other objects: nothing to apply to our contacts
    }
    if (!e.contains("objectId") || !(e["objectId"].is_number_integer() || e["objectId"].is_string()) ||
        !e.contains("propertyName") || !e["propertyName"].is_string() || !e.contains("occurredAt") ||
        !e["occurredAt"].is_number_integer()) {
      return bodyError("a contact.propertyChange event needs objectId, propertyName and occurredAt");
    }
    RemoteChange r;
    r.by = RemoteChange::By::CrmId;
    r.id = e["objectId"].is_string() ? e["objectId"].get<std::string>() : std::to_string(e["objectId"].get<long long>());
    r.updatedAt = e["occurredAt"].get<long long>();
    r.properties[e["propertyName"].get<std::string>()] =
        e.contains("propertyValue") ? e["propertyValue"] : nlohmann::json(nullptr);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace switchboard::crm
