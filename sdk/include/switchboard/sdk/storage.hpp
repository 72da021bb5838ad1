#pragma once

/// @file
/// @brief The storage API plugins see: one tenant's contacts, conversations, messages, agents,
/// templates, and a key/value area per plugin. A handle is scoped to one tenant: no call on it can
/// read or write another tenant's rows.
///
/// Calls block on the database (a pooled connection); call them from your strand, not from a
/// latency-critical handler. A Retriable error means the database is unreachable for now.

#include <optional>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::sdk {

/// @brief A stored message as history shows it.
struct StoredMessage {
  MessageId id;
  ConversationId conversation;
  AccountId account;
  bool outbound = false;
  MessageKind kind = MessageKind::Text;
  std::string text;
  std::string networkId;
  std::string status;            ///< received | accepted | sent | delivered | read | failed
  bool automatic = false;
  TimestampMs timestamp = 0;
};

struct ConversationFilter {
  std::optional<AccountId> account;
  std::optional<AgentId> assignee;   ///< "" selects unassigned.
  std::optional<ConversationStatus> status;
  std::optional<std::string> tag;
  int limit = 100;
  int offset = 0;
};

struct MessageTemplate {
  std::string name;
  std::string language;
  std::string body;              ///< With {{named}} parameters.
  std::string category;
};

class TenantStorage {
 public:
  virtual ~TenantStorage() = default;
  virtual const TenantId& tenant() const = 0;

  // Contacts
  virtual Result<std::optional<Contact>> getContact(const ContactId& id) = 0;
  virtual Result<std::optional<Contact>> findContactByPhone(const std::string& phone) = 0;
  /// @brief Insert or update by id (or by normalised phone when id is empty); returns the stored row.
  virtual Result<Contact> upsertContact(const Contact& contact) = 0;
  virtual Result<std::vector<Contact>> searchContacts(const std::string& query, int limit, int offset) = 0;
  virtual Status addContactNote(const ContactId& id, const std::string& author, const std::string& note) = 0;

  // Conversations
  virtual Result<std::optional<Conversation>> getConversation(const ConversationId& id) = 0;
  virtual Result<std::vector<Conversation>> listConversations(const ConversationFilter& filter) = 0;
  /// @brief Assign ("" unassigns); keeps agents' open-conversation counts right.
  virtual Status assignConversation(const ConversationId& id, const AgentId& agent) = 0;
  virtual Status setConversationStatus(const ConversationId& id, ConversationStatus status) = 0;
  virtual Status setConversationTags(const ConversationId& id, const std::vector<std::string>& tags) = 0;
  virtual Status addConversationNote(const ConversationId& id, const std::string& author,
                                     const std::string& note) = 0;
  virtual Status setBotPaused(const ConversationId& id, bool paused) = 0;

  // Messages
  /// @brief Newest first, strictly older than `beforeMs` when given.
  virtual Result<std::vector<StoredMessage>> listMessages(const ConversationId& id, int limit,
                                                          std::optional<TimestampMs> beforeMs) = 0;

  // Agents
  virtual Result<std::vector<Agent>> listAgents() = 0;
  virtual Result<std::optional<Agent>> getAgent(const AgentId& id) = 0;
  virtual Result<Agent> upsertAgent(const Agent& agent) = 0;
  virtual Status setAgentStatus(const AgentId& id, AgentStatus status) = 0;

  // Templates
  virtual Result<std::optional<MessageTemplate>> getTemplate(const std::string& name) = 0;
  virtual Status upsertTemplate(const MessageTemplate& t) = 0;

  // Plugin key/value state, namespaced by plugin instance.
  virtual Result<std::optional<std::string>> getState(const std::string& ns, const std::string& key) = 0;
  virtual Status putState(const std::string& ns, const std::string& key, const std::string& value) = 0;
  virtual Status deleteState(const std::string& ns, const std::string& key) = 0;
  /// @brief Keys of a namespace starting with `prefix`, in order, with their values.
  virtual Result<std::vector<std::pair<std::string, std::string>>> scanState(const std::string& ns,
                                                                             const std::string& prefix,
                                                                             int limit) = 0;
};

}  // namespace switchboard::sdk
