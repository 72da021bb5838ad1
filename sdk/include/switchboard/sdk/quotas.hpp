#pragma once

/// @file
/// @brief Per-tenant quotas (SDK 1.3): the kinds a deployment can limit, and what
/// TenantStorage::consumeQuota() answers. An operator sets the limits per tenant (admin API
/// `PUT /api/v1/tenants/{id}/quotas`, `sbctl tenants quota`); a kind without a limit is unlimited.

namespace switchboard::sdk::quota {

/// @brief WhatsApp accounts the tenant may have (a count, not per day).
inline constexpr const char* kAccounts = "accounts";
/// @brief Outbound messages (send commands) per UTC day.
inline constexpr const char* kMessagesPerDay = "messages_per_day";
/// @brief Campaign recipients per UTC day: a campaign plugin consumes one per recipient before
/// it sends, and stops (or defers to the next day) when consumeQuota() answers false.
inline constexpr const char* kCampaignRecipientsPerDay = "campaign_recipients_per_day";
/// @brief Admin API requests per second (enforced by the host's API, not through storage).
inline constexpr const char* kApiRequestsPerSecond = "api_requests_per_second";

/// @brief The error code of a refusal for being over a quota (API 429, Kafka `results` failure).
inline constexpr const char* kExceededCode = "quota_exceeded";

}  // namespace switchboard::sdk::quota
