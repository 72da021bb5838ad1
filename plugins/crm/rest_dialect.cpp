#include "rest_dialect.hpp"

namespace switchboard::crm {
namespace {

std::string withKey(std::string path, const std::string& key) {
  const std::string placeholder = "{key}";
  for (auto pos = path.find(placeholder); pos != std::string::npos; pos = path.find(placeholder, pos)) {
    const auto encoded = encodeSegment(key);
    path.replace(pos, placeholder.size(), encoded);
    pos += encoded.size();
  }
  return path;
}

sdk::Error bodyError(const std::string& message) { return sdk::Error::permanent("crm.webhook_body", message); }

}  // namespace

nlohmann::json RestDialect::properties(const sdk::Contact& contact) const {
  auto props = mapContact(contact, settings_.mapping, ValueStyle::Native);
  if (settings_.upsertBy == UpsertKey::ExternalId && !props.contains(settings_.externalIdProperty)) {
    props[settings_.externalIdProperty] = contact.id;
  }
  if (!settings_.rest.keyField.empty()) {
    props[settings_.rest.keyField] = keyOf(contact);
  }
  return props;
}

std::optional<sdk::HttpCall> RestDialect::createAfterMissing(const OutboxItem& item,
                                                             const sdk::Contact& contact) const {
  const auto key = keyOf(contact);
  if (settings_.rest.createPath.empty() || key.empty()) {
    return std::nullopt;
  }
  auto call = baseCall(settings_.rest.createMethod, withKey(settings_.rest.createPath, key), item);
  call.body = properties(contact).dump();
  return call;
}

sdk::Result<PreparedCall> RestDialect::next(const OutboxItem& item, const sdk::Contact& contact,
                                            const std::optional<std::string>& /*crmId: paths use the key*/) const {
  const auto key = keyOf(contact);
  if (key.empty()) {
    return sdk::Error::permanent("crm.no_key", "contact \"" + contact.id + "\" has no phone number to upsert by");
  }
  PreparedCall out;
  switch (kindOf(item.event)) {
    case ItemKind::ContactUpsert:
      out.call = baseCall(settings_.rest.contactMethod, withKey(settings_.rest.contactPath, key), item);
      out.call.body = properties(contact).dump();
      out.contactUpsert = true;
      break;
    case ItemKind::Note:
      out.call = baseCall("POST", withKey(settings_.rest.notePath, key), item);
      out.call.body = nlohmann::json{{"text", item.text},
                                     {"author", item.author},
                                     {"conversation", item.conversation},
                                     {"timestamp", item.at}}
                          .dump();
      break;
    case ItemKind::Activity:
      out.call = baseCall("POST", withKey(settings_.rest.activityPath, key), item);
      out.call.body = nlohmann::json{{"type", item.event},
                                     {"conversation", item.conversation},
                                     {"summary", item.text},
                                     {"agent", item.agent},
                                     {"timestamp", item.at}}
                          .dump();
      break;
  }
  return out;
}

std::optional<std::string> RestDialect::crmIdFromUpsert(const std::string& body) const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains(settings_.rest.idField)) {
    return std::nullopt;
  }
  const auto& id = j[settings_.rest.idField];
  if (id.is_string() && !id.get<std::string>().empty()) {
    return id.get<std::string>();
  }
  if (id.is_number_integer()) {
    return std::to_string(id.get<long long>());
  }
  return std::nullopt;
}

sdk::Result<std::vector<RemoteChange>> RestDialect::parseWebhook(const std::string& body) const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("changes") || !j["changes"].is_array()) {
    return bodyError("the webhook body must be {\"changes\": [...]}");
  }
  if (j["changes"].size() > kMaxWebhookChanges) {
    return bodyError("a webhook call carries at most " + std::to_string(kMaxWebhookChanges) + " changes");
  }
  std::vector<RemoteChange> out;
  for (const auto& c : j["changes"]) {
    if (!c.is_object()) {
      return bodyError("each change must be an object");
    }
    RemoteChange r;
    if (c.contains("key") && c["key"].is_string()) {
      r.id = c["key"].get<std::string>();
    } else if (c.contains("crm_id") && (c["crm_id"].is_string() || c["crm_id"].is_number_integer())) {
      r.by = RemoteChange::By::CrmId;
      r.id = c["crm_id"].is_string() ? c["crm_id"].get<std::string>() : std::to_string(c["crm_id"].get<long long>());
    }
    if (r.id.empty()) {
      return bodyError("a change names no contact (\"key\" or \"crm_id\")");
    }
    if (!c.contains("updated_at") || !c["updated_at"].is_number_integer()) {
      return bodyError("change for \"" + r.id + "\" has no integer updated_at (milliseconds)");
    }
    r.updatedAt = c["updated_at"].get<long long>();
    if (!c.contains("properties") || !c["properties"].is_object()) {
      return bodyError("change for \"" + r.id + "\" has no properties object");
    }
    r.properties = c["properties"];
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace switchboard::crm
