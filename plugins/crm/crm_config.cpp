#include "crm_config.hpp"

namespace switchboard::crm {
namespace {

using sdk::ConfigValue;
namespace field = sdk::field;

sdk::Error configError(const std::string& message) { return sdk::Error::permanent("crm.config", message); }

// Secrets read from files usually end with a newline, which must not reach a header or a MAC key.
std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.pop_back();
  }
  return s;
}

// Our contact fields a mapping may name, besides "fields.<custom field>".
const std::set<std::string>& contactFields() {
  static const std::set<std::string> names = {"id", "phone", "name", "language", "vip", "opted_in", "tags", "jid"};
  return names;
}

std::map<std::string, std::string> defaultMapping(TargetKind target) {
  if (target == TargetKind::HubSpot) {
    return {{"phone", "phone"}, {"name", "firstname"}, {"language", "hs_language"}, {"tags", "switchboard_tags"}};
  }
  return {{"phone", "phone"}, {"name", "name"}, {"language", "language"}, {"tags", "tags"}};
}

}  // namespace

const std::set<std::string>& mirrorableEvents() {
  static const std::set<std::string> events = {
      "contact.created", "contact.updated",     "contact.tags",          "contact.note",
      "conversation.note", "conversation.closed", "conversation.assigned", "conversation.transferred"};
  return events;
}

sdk::ConfigSchema configSchema() {
  sdk::ConfigSchema auth{{
      field::string("kind", "none, bearer or basic", std::string("none")).oneOf({"none", "bearer", "basic"}),
      field::string("token", "Bearer token (or token_file)", std::string()).secret(),
      field::string("username", "Basic user name", std::string()),
      field::string("password", "Basic password (or password_file)", std::string()).secret(),
  }};
  sdk::ConfigSchema tls{{
      field::boolean("verify", "Verify the CRM's certificate and host name", true),
      field::string("ca_file", "PEM bundle to trust instead of the system store", std::string()),
  }};
  sdk::ConfigSchema rest{{
      field::string("contact_method", "Method of the contact upsert", std::string("PUT")).oneOf({"PUT", "POST", "PATCH"}),
      field::string("contact_path", "Contact upsert path; {key} is the upsert key", std::string("/contacts/{key}")),
      field::string("note_path", "Note path (POST)", std::string("/contacts/{key}/notes")),
      field::string("activity_path", "Activity path (POST): closings and assignments",
                    std::string("/contacts/{key}/activities")),
      field::string("id_field", "Field of the upsert answer holding the CRM's id", std::string("id")),
      field::string("key_field", "Body field of the upsert carrying the upsert key (empty: none)", std::string()),
      field::string("create_method", "Method of the create sent when the upsert answers 404 (empty: none)",
                    std::string())
          .oneOf({"", "PUT", "POST", "PATCH"}),
      field::string("create_path", "Create path (the upsert key in key_field); {key} is the upsert key",
                    std::string()),
  }};
  sdk::ConfigSchema retry{{
      field::integer("max_attempts", "Failures before an item goes to the dead-letter table", 8).range(1, 100),
      field::duration("initial_backoff", "Wait after the first failure (doubles each time)", std::chrono::seconds(1))
          .range(1, 3600000),
      field::duration("max_backoff", "Longest wait between attempts", std::chrono::minutes(5)).range(1, 86400000),
      field::duration("max_retry_after", "Longest Retry-After honoured", std::chrono::hours(1)).range(1, 86400000),
  }};
  sdk::ConfigSchema webhook{{
      field::boolean("enabled", "Accept CRM-side changes at /v1/hooks/<instance>/<name>", false),
      field::string("name", "Last path segment of the webhook", std::string("webhook")),
      field::string("secret", "HMAC key shared with the CRM (or secret_file)", std::string()).secret(),
      field::string("signature", "Signature scheme", std::string("switchboard")).oneOf({"switchboard", "hubspot-v3"}),
      field::string("public_url", "The webhook URL as the CRM calls it (hubspot-v3 signs it)", std::string()),
      field::duration("max_skew", "Signed timestamps further from now are refused", std::chrono::minutes(5))
          .range(1000, 86400000),
  }};
  sdk::ConfigSchema s{{
      field::string("target", "rest (configurable) or hubspot (built-in mapping)", std::string("rest"))
          .oneOf({"rest", "hubspot"}),
      field::string("tenant", "Tenant whose contacts are mirrored", std::string("default")),
      field::string("base_url", "The CRM API's base URL").required(),
      field::object("auth", "Authentication", auth),
      field::object("tls", "TLS", tls),
      field::duration("timeout", "Deadline of one CRM call", std::chrono::seconds(15)).range(100, 600000),
      field::string("upsert_by", "phone or external_id", std::string("phone")).oneOf({"phone", "external_id"}),
      field::string("external_id_property", "CRM property holding our contact id", std::string("switchboard_id")),
      field::stringMap("mapping", "Our field (name, phone, tags, fields.<custom>) -> CRM property; replaces the default"),
      field::stringList("events", "Event types mirrored (default: all)"),
      field::object("rest", "Request shapes of the rest target", rest),
      field::object("retry", "Retries and dead-lettering", retry),
      field::object("webhook", "CRM-side changes", webhook),
      field::integer("summary_messages", "Messages quoted when a closing has no summary", 20).range(0, 200),
  }};
  return s;
}

sdk::Result<Settings> readSettings(const ConfigValue& c) {
  Settings s;
  s.target = c["target"].asString() == "hubspot" ? TargetKind::HubSpot : TargetKind::Rest;
  s.tenant = c["tenant"].asString().empty() ? "default" : c["tenant"].asString();
  s.baseUrl = c["base_url"].asString();
  while (!s.baseUrl.empty() && s.baseUrl.back() == '/') {
    s.baseUrl.pop_back();
  }
  if (s.baseUrl.rfind("https://", 0) != 0 && s.baseUrl.rfind("http://", 0) != 0) {
    return configError("base_url \"" + s.baseUrl + "\" must start with https:// (or http://)");
  }
  const auto& auth = c["auth"];
  const std::string kind = auth["kind"].asString();
  s.auth = kind == "bearer" ? AuthKind::Bearer : kind == "basic" ? AuthKind::Basic : AuthKind::None;
  s.token = trimmed(auth["token"].asString());
  s.username = auth["username"].asString();
  s.password = trimmed(auth["password"].asString());
  if (s.auth == AuthKind::Bearer && s.token.empty()) {
    return configError("auth.kind is bearer but auth.token (or auth.token_file) is empty");
  }
  if (s.auth == AuthKind::Basic && s.username.empty()) {
    return configError("auth.kind is basic but auth.username is empty");
  }
  s.verifyTls = c["tls"].has("verify") ? c["tls"]["verify"].asBool(true) : true;
  s.caFile = c["tls"]["ca_file"].asString();
  s.timeout = c["timeout"].isNull() ? std::chrono::milliseconds(15000) : c["timeout"].asDuration();
  s.upsertBy = c["upsert_by"].asString() == "external_id" ? UpsertKey::ExternalId : UpsertKey::Phone;
  s.externalIdProperty = c["external_id_property"].asString();
  if (s.externalIdProperty.empty()) {
    s.externalIdProperty = "switchboard_id";
  }

  s.mapping = defaultMapping(s.target);
  if (!c["mapping"].asMap().empty()) {
    s.mapping.clear();
    for (const auto& [ours, theirs] : c["mapping"].asMap()) {
      const bool custom = ours.rfind("fields.", 0) == 0 && ours.size() > 7;
      if (!custom && contactFields().count(ours) == 0) {
        return configError("mapping: unknown field \"" + ours +
                           "\"; allowed: id, phone, name, language, vip, opted_in, tags, jid, fields.<custom field>");
      }
      if (theirs.asString().empty()) {
        return configError("mapping: field \"" + ours + "\" maps to an empty CRM property");
      }
      s.mapping[ours] = theirs.asString();
    }
  }

  for (const auto& e : c["events"].asList()) {
    if (mirrorableEvents().count(e.asString()) == 0) {
      return configError("events: unknown event \"" + e.asString() +
                         "\"; allowed: contact.created, contact.updated, contact.tags, contact.note, "
                         "conversation.note, conversation.closed, conversation.assigned, conversation.transferred");
    }
    s.events.insert(e.asString());
  }
  if (s.events.empty()) {
    s.events = mirrorableEvents();
  }

  const auto& rest = c["rest"];
  auto text = [](const ConfigValue& v, const std::string& fallback) {
    return v.asString().empty() ? fallback : v.asString();
  };
  s.rest.contactMethod = text(rest["contact_method"], s.rest.contactMethod);
  s.rest.contactPath = text(rest["contact_path"], s.rest.contactPath);
  s.rest.notePath = text(rest["note_path"], s.rest.notePath);
  s.rest.activityPath = text(rest["activity_path"], s.rest.activityPath);
  s.rest.idField = text(rest["id_field"], s.rest.idField);
  s.rest.keyField = rest["key_field"].asString();
  s.rest.createMethod = rest["create_method"].asString();
  s.rest.createPath = rest["create_path"].asString();
  for (const auto* p : {&s.rest.contactPath, &s.rest.notePath, &s.rest.activityPath}) {
    if (p->empty() || p->front() != '/') {
      return configError("rest: path \"" + *p + "\" must start with '/'");
    }
  }
  if (s.rest.createMethod.empty() != s.rest.createPath.empty()) {
    return configError("rest: create_method and create_path go together");
  }
  if (!s.rest.createPath.empty() && s.rest.createPath.front() != '/') {
    return configError("rest: path \"" + s.rest.createPath + "\" must start with '/'");
  }
  if (!s.rest.createPath.empty() && s.rest.keyField.empty() &&
      s.rest.createPath.find("{key}") == std::string::npos) {
    // The created contact must be found by the next upsert's path, or every upsert would create.
    return configError("rest: create_path needs key_field (or {key} in the path)");
  }

  const auto& retry = c["retry"];
  if (retry.has("max_attempts")) {
    s.retry.maxAttempts = static_cast<int>(retry["max_attempts"].asInt(8));
    s.retry.initialBackoff = retry["initial_backoff"].asDuration();
    s.retry.maxBackoff = retry["max_backoff"].asDuration();
    s.retry.maxRetryAfter = retry["max_retry_after"].asDuration();
  }
  if (s.retry.maxBackoff < s.retry.initialBackoff) {
    return configError("retry.max_backoff is shorter than retry.initial_backoff");
  }

  const auto& wh = c["webhook"];
  s.webhook.enabled = wh["enabled"].asBool(false);
  s.webhook.name = text(wh["name"], "webhook");
  s.webhook.secret = trimmed(wh["secret"].asString());
  s.webhook.scheme = wh["signature"].asString() == "hubspot-v3" ? SignatureScheme::HubSpotV3 : SignatureScheme::Switchboard;
  s.webhook.publicUrl = wh["public_url"].asString();
  if (wh.has("max_skew")) {
    s.webhook.maxSkew = wh["max_skew"].asDuration();
  }
  if (s.webhook.enabled && s.webhook.secret.size() < 16) {
    return configError("webhook.secret (or webhook.secret_file) must be at least 16 characters when the webhook is on");
  }
  if (s.webhook.enabled && s.webhook.scheme == SignatureScheme::HubSpotV3 && s.webhook.publicUrl.empty()) {
    return configError("webhook.signature hubspot-v3 needs webhook.public_url (HubSpot signs the URL it calls)");
  }
  s.summaryMessages = static_cast<int>(c["summary_messages"].asInt(20));
  return s;
}

}  // namespace switchboard::crm
