#pragma once

// Queries the admin API needs that the tenant storage interface does not offer (template lists,
// deletions, notes, conversation search). They run through the storage's TenantScope, so they are
// tenant-scoped by construction like every other query, on the SQL store only: with another
// storage implementation they report "storage.unsupported".

#include <memory>
#include <string>
#include <vector>

#include "admin/message_stats.hpp"
#include "switchboard/sdk/storage.hpp"

namespace switchboard::admin {

namespace sdk = switchboard::sdk;

struct Note {
  std::int64_t id = 0;
  std::string author, text;
  sdk::TimestampMs createdAt = 0;
};

class AdminQueries {
 public:
  explicit AdminQueries(std::shared_ptr<sdk::TenantStorage> storage) : storage_(std::move(storage)) {}

  sdk::Result<std::vector<sdk::MessageTemplate>> listTemplates();
  /// false when there was no such template.
  sdk::Result<bool> deleteTemplate(const std::string& name);
  /// Refused ("contact.in_use") while conversations refer to the contact; notes go with it.
  sdk::Result<bool> deleteContact(const sdk::ContactId& id);
  /// Refused ("agent.busy") while the agent has conversations that are not closed.
  sdk::Result<bool> deleteAgent(const sdk::AgentId& id);
  sdk::Result<std::vector<Note>> contactNotes(const sdk::ContactId& id, int limit);
  sdk::Result<std::vector<Note>> conversationNotes(const sdk::ConversationId& id, int limit);
  /// Conversation ids whose id or peer, or whose contact's name or phone, contains `text`; newest
  /// message first.
  sdk::Result<std::vector<sdk::ConversationId>> searchConversations(const std::string& text, int limit, int offset);

  struct RecentMessages {
    std::vector<MessageRow> rows;
    bool truncated = false;  ///< `maxRows` were read before reaching `sinceMs`
  };
  /// The newest messages in storage order, newest first, until the first one older than `sinceMs`
  /// (callers leave a margin: a message delivered late carries its older send time), at most `maxRows`.
  sdk::Result<RecentMessages> recentMessages(sdk::TimestampMs sinceMs, int maxRows);

 private:
  std::shared_ptr<sdk::TenantStorage> storage_;
};

}  // namespace switchboard::admin
