#pragma once

#include <memory>

#include "storage/sql_store.hpp"
#include "storage/tenant_scope.hpp"

namespace switchboard::host::storage {

/// The TenantStorage plugins and the admin API get: every query runs through a TenantScope
/// bound to this handle's tenant.
class SqlTenantStorage final : public sdk::TenantStorage {
 public:
  SqlTenantStorage(std::shared_ptr<StoreCore> core, sdk::TenantId tenant)
      : core_(std::move(core)), tenant_(std::move(tenant)) {}

  const sdk::TenantId& tenant() const override { return tenant_; }

  sdk::Result<std::optional<sdk::Contact>> getContact(const sdk::ContactId& id) override;
  sdk::Result<std::optional<sdk::Contact>> findContactByPhone(const std::string& phone) override;
  sdk::Result<sdk::Contact> upsertContact(const sdk::Contact& contact) override;
  sdk::Result<std::vector<sdk::Contact>> searchContacts(const std::string& query, int limit, int offset) override;
  sdk::Status addContactNote(const sdk::ContactId& id, const std::string& author, const std::string& note) override;

  sdk::Result<std::optional<sdk::Conversation>> getConversation(const sdk::ConversationId& id) override;
  sdk::Result<std::vector<sdk::Conversation>> listConversations(const sdk::ConversationFilter& filter) override;
  sdk::Status assignConversation(const sdk::ConversationId& id, const sdk::AgentId& agent) override;
  sdk::Status setConversationStatus(const sdk::ConversationId& id, sdk::ConversationStatus status) override;
  sdk::Status setConversationTags(const sdk::ConversationId& id, const std::vector<std::string>& tags) override;
  sdk::Status addConversationNote(const sdk::ConversationId& id, const std::string& author,
                                  const std::string& note) override;
  sdk::Status setBotPaused(const sdk::ConversationId& id, bool paused) override;

  sdk::Result<std::vector<sdk::StoredMessage>> listMessages(const sdk::ConversationId& id, int limit,
                                                            std::optional<sdk::TimestampMs> beforeMs) override;

  sdk::Result<std::vector<sdk::Agent>> listAgents() override;
  sdk::Result<std::optional<sdk::Agent>> getAgent(const sdk::AgentId& id) override;
  sdk::Result<sdk::Agent> upsertAgent(const sdk::Agent& agent) override;
  sdk::Status setAgentStatus(const sdk::AgentId& id, sdk::AgentStatus status) override;

  sdk::Result<std::optional<sdk::MessageTemplate>> getTemplate(const std::string& name) override;
  sdk::Status upsertTemplate(const sdk::MessageTemplate& t) override;

  sdk::Result<std::optional<std::string>> getState(const std::string& ns, const std::string& key) override;
  sdk::Status putState(const std::string& ns, const std::string& key, const std::string& value) override;
  sdk::Status deleteState(const std::string& ns, const std::string& key) override;
  sdk::Result<std::vector<std::pair<std::string, std::string>>> scanState(const std::string& ns,
                                                                          const std::string& prefix,
                                                                          int limit) override;

  // SDK 1.1, for routers (routing_queries.cpp).
  sdk::Result<std::vector<sdk::AssignedConversation>> listAssignedConversations(sdk::TimestampMs sinceMs, int limit,
                                                                                int messagesPerConversation) override;
  sdk::Result<std::vector<sdk::AgentResponseStats>> agentResponseStats(sdk::TimestampMs sinceMs,
                                                                       int conversationLimit) override;
  sdk::Result<bool> claimConversation(const sdk::ConversationId& id, const sdk::AgentId& agent) override;
  // SDK 1.3, for campaigns (segment_queries.cpp).
  sdk::Result<sdk::ContactSegmentPage> listContactsBySegment(const sdk::ContactSegment& segment,
                                                             const sdk::ContactId& after, int limit) override;
  // SDK 1.3, per-tenant quotas (tenancy_quotas.cpp).
  sdk::Result<bool> consumeQuota(const std::string& kind, std::int64_t n) override;
  // SDK 1.3, analytics (analytics_queries.cpp).
  sdk::Status recordConversationClosed(const sdk::ConversationId& id, const sdk::AgentId& agent,
                                       sdk::TimestampMs at) override;
  sdk::Status recordSurveySent(const sdk::ConversationId& id, const sdk::AgentId& agent, const sdk::CommandId& command,
                               sdk::TimestampMs at) override;
  sdk::Result<bool> settleSurvey(const sdk::ConversationId& id, const sdk::SurveyAnswer& answer,
                                 sdk::TimestampMs maxAgeMs) override;
  sdk::Result<sdk::AnalyticsSummary> analyticsSummary(const sdk::AnalyticsRange& range) override;
  sdk::Result<std::vector<sdk::MessageVolumeBucket>> messageVolume(const sdk::AnalyticsRange& range,
                                                                   sdk::AnalyticsBucket bucket) override;
  sdk::Result<std::vector<sdk::AgentAnalytics>> agentAnalytics(const sdk::AnalyticsRange& range) override;

  /// Runs fn(TenantScope&) on a pooled connection (in a transaction when `tx`).
  template <typename T, typename Fn>
  sdk::Result<T> scoped(bool tx, Fn&& fn) {
    auto body = [&](Connection& c) -> sdk::Result<T> {
      TenantScope scope(c, tenant_);
      return fn(scope);
    };
    return tx ? core_->db->transact<T>(body) : core_->db->run<T>(body);
  }

 private:
  std::shared_ptr<StoreCore> core_;
  const sdk::TenantId tenant_;
};

/// Contact rows, read and written within one tenant (shared by the handle, merge and CSV).
std::optional<sdk::Contact> readContact(TenantScope& s, const sdk::ContactId& id);
std::vector<sdk::Contact> readContacts(TenantScope& s, const std::string& where, const std::string& order,
                                       const std::string& arg, int limit, int offset);
/// Stores a contact (id resolved by phone/jid when empty); the phone must already be normalised.
sdk::Result<sdk::ContactId> writeContact(TenantScope& s, const sdk::Contact& contact, bool* created);

}  // namespace switchboard::host::storage
