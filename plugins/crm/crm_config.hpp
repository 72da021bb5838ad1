#pragma once

// The CRM sync plugin's configuration: its schema (validated by the host) and the settings the
// plugin works from, read from the validated tree with the checks the schema cannot express.

#include <chrono>
#include <map>
#include <set>
#include <string>

#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::crm {

namespace sdk = switchboard::sdk;

/// Which request shapes the target speaks: a configurable REST API, or HubSpot's v3 objects API.
enum class TargetKind { Rest, HubSpot };
/// What identifies a contact on the CRM side when upserting.
enum class UpsertKey { Phone, ExternalId };
enum class AuthKind { None, Bearer, Basic };
/// How webhook requests are signed.
enum class SignatureScheme { Switchboard, HubSpotV3 };

struct RestPaths {
  std::string contactMethod = "PUT";
  std::string contactPath = "/contacts/{key}";      ///< {key}: the phone number or external id, percent-encoded
  std::string notePath = "/contacts/{key}/notes";
  std::string activityPath = "/contacts/{key}/activities";
  std::string idField = "id";                       ///< Field of the upsert answer holding the CRM's id
  std::string keyField;                             ///< Body field carrying the upsert key (empty: not sent)
  // An API that updates in place but creates elsewhere (PUT /contacts/{id} answers 404 for a new
  // contact, POST /contacts creates it): when the upsert answers 404, the contact is created with
  // this request instead. Empty: a 404 is a rejection like any other 4xx.
  std::string createMethod;
  std::string createPath;
};

struct RetrySettings {
  int maxAttempts = 8;                              ///< Failures before an item is dead-lettered
  std::chrono::milliseconds initialBackoff{1000};
  std::chrono::milliseconds maxBackoff{300000};
  std::chrono::milliseconds maxRetryAfter{3600000};  ///< Cap on a 429's Retry-After
};

struct WebhookSettings {
  bool enabled = false;
  std::string name = "webhook";                     ///< Served at /v1/hooks/<instance>/<name>
  std::string secret;
  SignatureScheme scheme = SignatureScheme::Switchboard;
  std::string publicUrl;                            ///< The URL the CRM calls (HubSpot v3 signs it)
  std::chrono::milliseconds maxSkew{300000};        ///< Older (or later) timestamps are refused
};

struct Settings {
  TargetKind target = TargetKind::Rest;
  std::string tenant = "default";
  std::string baseUrl;                              ///< Without a trailing '/'
  AuthKind auth = AuthKind::None;
  std::string token;                                ///< Bearer token
  std::string username, password;                   ///< Basic
  bool verifyTls = true;
  std::string caFile;
  std::chrono::milliseconds timeout{15000};
  UpsertKey upsertBy = UpsertKey::Phone;
  std::string externalIdProperty;                   ///< CRM property holding our contact id
  std::map<std::string, std::string> mapping;       ///< Our field ("name", "fields.plan") -> CRM property
  std::set<std::string> events;                     ///< Event types mirrored
  RestPaths rest;
  RetrySettings retry;
  WebhookSettings webhook;
  int summaryMessages = 20;                         ///< Messages quoted in a closing summary when none is given
};

/// Every event type the plugin can mirror.
const std::set<std::string>& mirrorableEvents();

sdk::ConfigSchema configSchema();

/// Reads the validated tree. Errors ("crm.config") name the key.
sdk::Result<Settings> readSettings(const sdk::ConfigValue& config);

}  // namespace switchboard::crm
