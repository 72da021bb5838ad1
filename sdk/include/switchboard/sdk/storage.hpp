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

#include "switchboard/sdk/analytics.hpp"
#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/segments.hpp"
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

/// @brief An assigned conversation with the customer's opening words: what a learned router
/// trains on (SDK 1.1).
struct AssignedConversation {
  ConversationId id;
  AccountId account;
  AgentId agent;                 ///< Its assignee now: the agent who resolved it when `closed`.
  bool closed = false;
  std::string text;              ///< The customer's first messages (text and captions), one per line.
  TimestampMs createdAt = 0;
};

/// @brief How fast an agent answers (SDK 1.1).
struct AgentResponseStats {
  AgentId agent;
  double averageResponseMs = 0;  ///< Mean time from a customer's turn to the first non-automatic reply.
  int samples = 0;               ///< Customer turns answered that the mean is over.
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

  // ---- SDK 1.1 (appended; a host older than 1.1 refuses plugins built against it) ----
  // Not pure: a storage implementation that lacks them reports "storage.unsupported".

  /// @brief Conversations with an assignee, newest first, created at or after `sinceMs`, with the
  /// first `messagesPerConversation` inbound texts of each (for training a router).
  virtual Result<std::vector<AssignedConversation>> listAssignedConversations(TimestampMs sinceMs, int limit,
                                                                              int messagesPerConversation) {
    (void)sinceMs, (void)limit, (void)messagesPerConversation;
    return Error::permanent("storage.unsupported", "this storage cannot list assigned conversations");
  }

  /// @brief Per-agent average response time over conversations created at or after `sinceMs` (at
  /// most `conversationLimit` of the newest). Agents with no answered turn are absent.
  virtual Result<std::vector<AgentResponseStats>> agentResponseStats(TimestampMs sinceMs, int conversationLimit) {
    (void)sinceMs, (void)conversationLimit;
    return Error::permanent("storage.unsupported", "this storage cannot compute response times");
  }

  /// @brief Assigns the conversation to `agent` only if it is unassigned (or already theirs), not
  /// closed, and the agent has fewer open conversations than its capacity, all in one transaction
  /// that serialises claims on the same agent: concurrent claims (threads, daemons) never push an
  /// agent past capacity. @return true when assigned, false when the claim lost (full, taken).
  virtual Result<bool> claimConversation(const ConversationId& id, const AgentId& agent) {
    (void)id, (void)agent;
    return Error::permanent("storage.unsupported", "this storage cannot claim conversations");
  }

  // ---- SDK 1.3 (appended; a host older than 1.3 refuses plugins built against it) ----
  // Not pure: a storage implementation that lacks them reports "storage.unsupported".

  /// @brief Contacts in `segment` whose id is greater than `after` ("" for the first page), at most
  /// `limit` of them, in ascending id order (campaigns). Page on with the returned `next`.
  virtual Result<ContactSegmentPage> listContactsBySegment(const ContactSegment& segment, const ContactId& after,
                                                           int limit) {
    (void)segment, (void)after, (void)limit;
    return Error::permanent("storage.unsupported", "this storage cannot select contacts by segment");
  }

  /// @brief Takes `n` units of this tenant's quota `kind` (sdk/quotas.hpp: e.g.
  /// quota::kCampaignRecipientsPerDay) for the current UTC day, atomically across threads and
  /// daemons sharing the database. @return true when taken; false, taking nothing, when the
  /// tenant's limit would be passed (the caller refuses or defers the work). A kind without a
  /// limit is always taken. For quota::kAccounts it checks the tenant's account count instead.
  virtual Result<bool> consumeQuota(const std::string& kind, std::int64_t n) {
    (void)kind, (void)n;
    return Error::permanent("storage.unsupported", "this storage keeps no quotas");
  }

  /// @brief Records that a conversation episode was closed by (or while assigned to) `agent` at
  /// `at` (analytics: resolution and duration). Recording the same close twice keeps one row.
  virtual Status recordConversationClosed(const ConversationId& id, const AgentId& agent, TimestampMs at) {
    (void)id, (void)agent, (void)at;
    return Error::permanent("storage.unsupported", "this storage keeps no analytics");
  }

  /// @brief Records a satisfaction survey sent into a conversation (by command `command`) about
  /// `agent`'s episode; it stays open until settleSurvey().
  virtual Status recordSurveySent(const ConversationId& id, const AgentId& agent, const CommandId& command,
                                  TimestampMs at) {
    (void)id, (void)agent, (void)command, (void)at;
    return Error::permanent("storage.unsupported", "this storage keeps no analytics");
  }

  /// @brief Settles the conversation's open survey sent at most `maxAgeMs` before `answer.at` with
  /// the customer's next message (a score, or none when it was no score). @return true when a
  /// survey was open and took the answer; false when none was (the message is no answer).
  virtual Result<bool> settleSurvey(const ConversationId& id, const SurveyAnswer& answer, TimestampMs maxAgeMs) {
    (void)id, (void)answer, (void)maxAgeMs;
    return Error::permanent("storage.unsupported", "this storage keeps no analytics");
  }

  /// @brief The tenant's figures over `range` (sdk/analytics.hpp has the definitions).
  /// Errors: "analytics.invalid_range", "analytics.unknown_time_zone".
  virtual Result<AnalyticsSummary> analyticsSummary(const AnalyticsRange& range) {
    (void)range;
    return Error::permanent("storage.unsupported", "this storage computes no analytics");
  }

  /// @brief Messages per local hour or day of `range.timeZone`, oldest first, empty buckets
  /// included. The range may span at most 366 days.
  virtual Result<std::vector<MessageVolumeBucket>> messageVolume(const AnalyticsRange& range, AnalyticsBucket bucket) {
    (void)range, (void)bucket;
    return Error::permanent("storage.unsupported", "this storage computes no analytics");
  }

  /// @brief Per-agent figures over `range`, in leaderboard order (rank 1 first). Agents with no
  /// episode and no survey in the range are absent.
  virtual Result<std::vector<AgentAnalytics>> agentAnalytics(const AnalyticsRange& range) {
    (void)range;
    return Error::permanent("storage.unsupported", "this storage computes no analytics");
  }
};

}  // namespace switchboard::sdk
