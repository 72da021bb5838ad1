#include "webhook_guard.hpp"

#include <charconv>

#include "signature.hpp"

namespace switchboard::crm {
namespace {

struct Names {
  const char* timestamp;
  const char* signature;
};

Names namesFor(SignatureScheme s) {
  return s == SignatureScheme::HubSpotV3 ? Names{"x-hubspot-request-timestamp", "x-hubspot-signature-v3"}
                                         : Names{"x-crm-timestamp", "x-crm-signature"};
}

std::string expected(const WebhookSettings& s, const std::string& body, const std::string& timestamp) {
  if (s.scheme == SignatureScheme::HubSpotV3) {
    return toBase64(hmacSha256(s.secret, "POST" + s.publicUrl + body + timestamp));
  }
  return "sha256=" + toHex(hmacSha256(s.secret, timestamp + "." + body));
}

std::string header(const std::map<std::string, std::string>& headers, const char* name) {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

}  // namespace

WebhookGuard::WebhookGuard(const WebhookSettings& settings, std::size_t rememberedSignatures)
    : settings_(settings), capacity_(rememberedSignatures) {}

std::map<std::string, std::string> WebhookGuard::sign(const WebhookSettings& settings, const std::string& body,
                                                      sdk::TimestampMs timestamp) {
  const auto names = namesFor(settings.scheme);
  const auto ts = std::to_string(timestamp);
  return {{names.timestamp, ts}, {names.signature, expected(settings, body, ts)}};
}

sdk::Status WebhookGuard::check(const std::map<std::string, std::string>& headers, const std::string& body,
                                sdk::TimestampMs now) {
  const auto names = namesFor(settings_.scheme);
  const auto ts = header(headers, names.timestamp);
  const auto signature = header(headers, names.signature);
  if (ts.empty() || signature.empty()) {
    return sdk::Error::permanent("crm.webhook_unsigned", std::string("webhook call without ") + names.timestamp +
                                                             " and " + names.signature + " headers");
  }
  long long at = 0;
  if (auto [p, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), at); ec != std::errc() || p != ts.data() + ts.size()) {
    return sdk::Error::permanent("crm.webhook_unsigned", std::string(names.timestamp) + " is not milliseconds");
  }
  // The signature first, so an unauthenticated caller learns nothing from the other checks.
  if (!constantTimeEquals(signature, expected(settings_, body, ts))) {
    return sdk::Error::permanent("crm.webhook_signature", "webhook signature does not match the body");
  }
  const auto skew = settings_.maxSkew.count();
  if (at < now - skew || at > now + skew) {
    return sdk::Error::permanent("crm.webhook_stale", "webhook timestamp " + ts + " is outside the allowed skew of " +
                                                          std::to_string(skew) + " ms");
  }
  // A signature is remembered until its timestamp can no longer pass the skew check: at most
  // 2 * skew after now (timestamps may lie up to `skew` ahead).
  while (!order_.empty() && (order_.front().first < now || order_.size() >= capacity_)) {
    seen_.erase(order_.front().second);
    order_.pop_front();
  }
  if (!seen_.insert(signature).second) {
    return sdk::Error::permanent("crm.webhook_replay", "this webhook call was already accepted (replay)");
  }
  order_.emplace_back(now + 2 * skew, signature);
  return sdk::okStatus();
}

void WebhookGuard::remember(const std::string& signature, sdk::TimestampMs forgetAfter) {
  if (order_.size() < capacity_ && seen_.insert(signature).second) {
    order_.emplace_back(forgetAfter, signature);
  }
}

}  // namespace switchboard::crm

