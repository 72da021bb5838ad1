#pragma once

// The host's storage interface: what the pipeline, the Kafka bridge and the admin side need beyond
// the tenant-scoped API plugins see (sdk/storage.hpp). Implemented over SOCI (SQLite, PostgreSQL).
// Everything that must not be lost goes through one of the transactional calls below.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/storage.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::host {

namespace sdk = ::switchboard::sdk;

/// How an outbox payload encodes the switchboard.v1 Envelope (stored as a number: never renumber).
enum class PayloadFormat : int { Protobuf = 0, Json = 1 };

/// A record waiting to be produced to Kafka. `payload` is the switchboard.v1 Envelope encoded as
/// `payloadFormat` says; the relay sends it as it is when that is the deployment's format and
/// converts it otherwise.
struct OutboxRecord {
  std::int64_t seq = 0;          // Assigned by the store, increasing; produce order within a key.
  std::string topic;             // Logical topic: inbound | events | results | dlq (prefix added by Kafka).
  std::string key;               // Partition key: the conversation id (or account id).
  std::string ceId;              // Stable CloudEvents id: duplicates after a crash carry the same one.
  std::string ceType;            // e.g. "switchboard.v1.InboundMessage"
  std::string tenant, account, conversation, assignee;
  std::string payload;
  PayloadFormat payloadFormat = PayloadFormat::Protobuf;
  std::int64_t createdAtMs = 0;
  int attempts = 0;
};

/// A change to the Signal store that must commit together with the message it decrypted.
struct SignalWrite {
  enum class Table { Identity, Session, PreKey, SignedPreKey, SenderKey };
  Table table = Table::Session;
  std::string account;
  std::string key;               // Address ("jid.device"), prekey id, or "group:sender".
  std::optional<std::string> value;  // Serialized record; nullopt deletes. Private keys are sealed at rest.
};

/// Everything one received message changes, committed in one transaction.
struct InboundWrite {
  sdk::InboundMessage message;
  std::string ciphertextHash;    // Hex SHA-256 of the stanza ciphertext; a redelivery is served from storage.
  std::vector<SignalWrite> signal;
  OutboxRecord outbox;           // The Kafka record announcing the message (conversation filled in by the store).
  // When set, the store builds `outbox` with it once it has assigned the message's id and
  // conversation, so the record's payload carries them.
  std::function<OutboxRecord(const sdk::InboundMessage&)> encode;
};

struct InboundStored {
  sdk::MessageId id;
  sdk::ConversationId conversation;
  sdk::ContactId contact;
  bool duplicate = false;        // Already stored earlier (same account + network id): nothing changed.
  bool newConversation = false;  // The conversation was created or reopened by this message.
  bool newContact = false;       // The contact was created by this message (announced as contact.created).
};

/// A WhatsApp account this deployment runs; each belongs to exactly one tenant.
struct AccountRecord {
  std::string id;                // e.g. the phone number "15551234567"
  std::string tenant = sdk::kDefaultTenant;
  std::string name, jid;
  std::string state = "new";     // new | paired | logged_out | banned ... (the connector's words)
  std::int64_t createdAtMs = 0, updatedAtMs = 0;
};

struct TenantRecord {
  std::string id, name;
  std::int64_t createdAtMs = 0;
};

/// One operator action (admin API, CLI).
struct AuditEntry {
  std::int64_t id = 0;
  std::string tenant = sdk::kDefaultTenant;
  std::string actor, action, subject, detail;
  std::int64_t atMs = 0;
};

/// What a CSV import did; rows with errors are skipped, the others are stored.
struct CsvImportReport {
  struct RowError {
    int line = 0;                // 1-based line of the file (the header is line 1)
    std::string message;
  };
  int created = 0, updated = 0;
  std::vector<RowError> errors;
};

struct CommandStored {
  bool inserted = false;         // false: the command id was seen before; `previous` says what became of it.
  std::optional<sdk::CommandResult> previous;
};

class Store {
 public:
  virtual ~Store() = default;

  /// Handle scoped to one tenant (created on first use).
  virtual std::shared_ptr<sdk::TenantStorage> tenant(const sdk::TenantId& tenant) = 0;

  /// Stores a batch of received messages in one transaction: dedupe rows, messages, contact and
  /// conversation upserts, Signal writes and outbox rows. All or nothing.
  virtual sdk::Result<std::vector<InboundStored>> storeInbound(std::vector<InboundWrite>& batch) = 0;

  /// Records a command (idempotent by tenant + command id). `raw` is the record as received.
  virtual sdk::Result<CommandStored> storeCommand(const sdk::OutboundCommand& command, const std::string& raw) = 0;
  /// Commands accepted but not yet sent (for the connector after a restart), oldest first.
  virtual sdk::Result<std::vector<sdk::OutboundCommand>> pendingCommands(int limit) = 0;
  /// Updates the command's state and queues the result record, in one transaction.
  virtual sdk::Status recordResult(const sdk::CommandResult& result, const OutboxRecord& record) = 0;

  /// Queues records (events, DLQ entries) for Kafka in one transaction.
  virtual sdk::Status enqueue(const std::vector<OutboxRecord>& records) = 0;
  /// Oldest pending records with seq > afterSeq.
  virtual sdk::Result<std::vector<OutboxRecord>> pendingOutbox(std::int64_t afterSeq, int limit) = 0;
  /// The same into `out` (resized to the rows found), reusing the storage of the records it
  /// holds: the relay reads pages of thousands of rows, and allocating every field of every row
  /// afresh was a large part of its cost.
  virtual sdk::Status pendingOutboxInto(std::int64_t afterSeq, int limit, std::vector<OutboxRecord>& out) {
    auto rows = pendingOutbox(afterSeq, limit);
    SB_TRY(rows);
    out = std::move(rows).value();
    return sdk::okStatus();
  }
  /// Marks records produced (on a successful delivery report).
  virtual sdk::Status markProduced(const std::vector<std::int64_t>& seqs) = 0;
  virtual sdk::Result<std::int64_t> outboxDepth() = 0;
  /// Whether markProducedUpTo can be used: only where rows commit in seq order (SQLite, one
  /// daemon per file), so that every row at or below a delivered prefix was read before it.
  virtual bool producedMarkSupported() const { return false; }
  /// Records that every row with seq <= `seq` was delivered (never lowers the mark). Readers skip
  /// those rows at once; purgeProduced deletes them later, in bulk.
  virtual sdk::Status markProducedUpTo(std::int64_t seq) {
    (void)seq;
    return sdk::Error::permanent("storage.unsupported", "markProducedUpTo: no produced mark on this backend");
  }
  /// Deletes up to `maxRows` of the oldest rows at or below the produced mark; returns how many.
  virtual sdk::Result<std::int64_t> purgeProduced(std::int64_t maxRows) {
    (void)maxRows;
    return std::int64_t{0};
  }

  /// Reads Signal state for an account (the connector's store callbacks).
  virtual sdk::Result<std::optional<std::string>> readSignal(SignalWrite::Table table, const std::string& account,
                                                             const std::string& key) = 0;
  virtual sdk::Status writeSignal(const std::vector<SignalWrite>& writes) = 0;

  /// Is the database reachable right now? (Readiness; the pipeline pauses while it is not.)
  virtual bool healthy() = 0;

  // ---- Added by the storage implementation (issue 16) ----

  /// The message stored from a stanza with this ciphertext hash (a redelivery), if any. Since
  /// schema version 9 no index answers it (a scan): prefer findRedelivery.
  virtual sdk::Result<std::optional<sdk::InboundMessage>> findByCiphertext(const std::string& account,
                                                                          const std::string& ciphertextHash) = 0;
  /// The message stored from this stanza (same network id and ciphertext hash), if any: one
  /// search of the dedupe key.
  virtual sdk::Result<std::optional<sdk::InboundMessage>> findRedelivery(const std::string& account,
                                                                        const std::string& networkId,
                                                                        const std::string& ciphertextHash) = 0;

  /// Tenants. The default tenant always exists.
  virtual sdk::Status createTenant(const std::string& id, const std::string& name) = 0;
  virtual sdk::Result<std::vector<TenantRecord>> listTenants() = 0;

  /// Accounts and their device credentials (sealed at rest). An account never changes tenant.
  virtual sdk::Status upsertAccount(const AccountRecord& account) = 0;
  virtual sdk::Result<std::optional<AccountRecord>> getAccount(const std::string& id) = 0;
  /// All accounts, or one tenant's when `tenant` is given.
  virtual sdk::Result<std::vector<AccountRecord>> listAccounts(const std::optional<std::string>& tenant) = 0;
  virtual sdk::Status saveDeviceCredentials(const std::string& account, const std::string& credentials) = 0;
  virtual sdk::Result<std::optional<std::string>> loadDeviceCredentials(const std::string& account) = 0;
  /// Forgets an account's credentials and Signal state (logout), in one transaction.
  virtual sdk::Status deleteAccountSecrets(const std::string& account) = 0;

  /// Audit log of operator actions.
  virtual sdk::Status appendAudit(const AuditEntry& entry) = 0;
  virtual sdk::Result<std::vector<AuditEntry>> listAudit(const sdk::TenantId& tenant, int limit) = 0;

  /// Contacts: groups of ids sharing one normalised phone number; merge `drop` into `keep`
  /// (conversations, notes, tags and fields move; `keep`'s values win); CSV in and out.
  virtual sdk::Result<std::vector<std::vector<sdk::ContactId>>> findDuplicateContacts(const sdk::TenantId& tenant) = 0;
  virtual sdk::Result<sdk::Contact> mergeContacts(const sdk::TenantId& tenant, const sdk::ContactId& keep,
                                                  const sdk::ContactId& drop) = 0;
  virtual sdk::Result<CsvImportReport> importContactsCsv(const sdk::TenantId& tenant, const std::string& csv) = 0;
  virtual sdk::Result<std::string> exportContactsCsv(const sdk::TenantId& tenant) = 0;
};

}  // namespace switchboard::host
