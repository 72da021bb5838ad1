// Fuzzes what the CRM sync reads from the network: webhook bodies (generic and HubSpot shapes),
// CRM properties applied to a contact, webhook signature headers, upsert answers and Retry-After
// values. The first byte picks the parser; the rest is the input.

#include <cstddef>
#include <cstdint>
#include <string>

#include "crm_config.hpp"
#include "dialect.hpp"
#include "field_mapping.hpp"
#include "retry_policy.hpp"
#include "webhook_guard.hpp"

namespace crm = switchboard::crm;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  static const crm::Settings rest = [] {
    crm::Settings s;
    s.baseUrl = "https://crm.example";
    s.mapping = {{"name", "name"}, {"tags", "tags"}, {"vip", "vip"}, {"fields.plan", "plan"}, {"phone", "phone"}};
    s.webhook.secret = "0123456789abcdef";
    return s;
  }();
  static const crm::Settings hubspot = [] {
    crm::Settings s = rest;
    s.target = crm::TargetKind::HubSpot;
    return s;
  }();
  static const auto restDialect = crm::makeDialect(rest, "fuzz");
  static const auto hubspotDialect = crm::makeDialect(hubspot, "fuzz");
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 5) {
    case 0:
    case 1: {
      const auto& dialect = data[0] % 5 == 0 ? *restDialect : *hubspotDialect;
      auto changes = dialect.parseWebhook(input);
      if (changes.ok()) {
        for (const auto& change : changes.value()) {
          switchboard::sdk::Contact c;
          c.tags = {"a"};
          (void)crm::applyProperties(change.properties, rest.mapping, c);
        }
      }
      break;
    }
    case 2:
      (void)restDialect->crmIdFromUpsert(input);
      (void)hubspotDialect->crmIdFromUpsert(input);
      break;
    case 3:
      (void)crm::parseRetryAfter(input, 1'700'000'000'000);
      break;
    case 4: {
      // Headers and body split at the first newline: "timestamp signature\nbody".
      crm::WebhookGuard guard(rest.webhook, 16);
      const auto nl = input.find('\n');
      const auto head = input.substr(0, nl);
      const auto space = head.find(' ');
      std::map<std::string, std::string> headers = {{"x-crm-timestamp", head.substr(0, space)}};
      if (space != std::string::npos) {
        headers["x-crm-signature"] = head.substr(space + 1);
      }
      (void)guard.check(headers, nl == std::string::npos ? "" : input.substr(nl + 1), 1'700'000'000'000);
      break;
    }
  }
  return 0;
}
