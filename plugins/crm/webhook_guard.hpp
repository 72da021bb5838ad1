#pragma once

// Authenticates webhook calls before anything in them is read: an HMAC-SHA256 signature over the
// body and a timestamp, the timestamp within the allowed skew, and each signature accepted once
// (a replayed call within the window is refused; older ones fail the timestamp check).
//
// Schemes:
//   switchboard  X-CRM-Timestamp: <ms since epoch>
//                X-CRM-Signature: sha256=<hex HMAC(secret, "<timestamp>." + body)>
//   hubspot-v3   X-HubSpot-Request-Timestamp: <ms>
//                X-HubSpot-Signature-v3: base64 HMAC(secret, "POST" + public_url + body + timestamp)

#include <cstddef>
#include <deque>
#include <map>
#include <set>
#include <string>

#include "crm_config.hpp"
#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::crm {

class WebhookGuard {
 public:
  explicit WebhookGuard(const WebhookSettings& settings, std::size_t rememberedSignatures = 100000);

  /// @param headers names in lower case. Errors: "crm.webhook_unsigned", "crm.webhook_signature",
  /// "crm.webhook_stale", "crm.webhook_replay".
  sdk::Status check(const std::map<std::string, std::string>& headers, const std::string& body, sdk::TimestampMs now);

  /// Remembers a signature an earlier instance accepted, until `forgetAfter` (oldest first, so the
  /// plugin hands them over sorted): a restart does not reopen the replay window.
  void remember(const std::string& signature, sdk::TimestampMs forgetAfter);
  /// After a successful check: the signature it accepted and until when it is remembered.
  const std::pair<sdk::TimestampMs, std::string>& lastAccepted() const { return order_.back(); }

  /// The header values a sender puts on `body` at `timestamp` (the CRM's side; tests use it).
  static std::map<std::string, std::string> sign(const WebhookSettings& settings, const std::string& body,
                                                 sdk::TimestampMs timestamp);

 private:
  const WebhookSettings& settings_;
  std::size_t capacity_;
  std::set<std::string> seen_;
  std::deque<std::pair<sdk::TimestampMs, std::string>> order_;  // (forget after, signature), oldest first
};

}  // namespace switchboard::crm
