#pragma once

// Store over SOCI. One class, its methods spread over files by job (inbound_store.cpp,
// outbox_store.cpp, command_store.cpp, signal_store.cpp, account_store.cpp, contact_*.cpp).

#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "storage/database.hpp"
#include "storage/key_sealer.hpp"
#include "storage/store.hpp"

namespace switchboard::host::storage {

/// What the Store and the tenant handles it gives out share (handles may outlive the Store).
struct StoreCore {
  std::unique_ptr<Database> db;
  KeySealer sealer;
};

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::shared_ptr<StoreCore> core) : core_(std::move(core)) {}

  std::shared_ptr<sdk::TenantStorage> tenant(const sdk::TenantId& tenant) override;
  sdk::Result<std::vector<InboundStored>> storeInbound(std::vector<InboundWrite>& batch) override;
  sdk::Result<CommandStored> storeCommand(const sdk::OutboundCommand& command, const std::string& raw) override;
  sdk::Result<std::vector<sdk::OutboundCommand>> pendingCommands(int limit) override;
  sdk::Status recordResult(const sdk::CommandResult& result, const OutboxRecord& record) override;
  sdk::Status enqueue(const std::vector<OutboxRecord>& records) override;
  sdk::Result<std::vector<OutboxRecord>> pendingOutbox(std::int64_t afterSeq, int limit) override;
  sdk::Status pendingOutboxInto(std::int64_t afterSeq, int limit, std::vector<OutboxRecord>& out) override;
  sdk::Status markProduced(const std::vector<std::int64_t>& seqs) override;
  sdk::Result<std::int64_t> outboxDepth() override;
  bool producedMarkSupported() const override;
  sdk::Status markProducedUpTo(std::int64_t seq) override;
  sdk::Result<std::int64_t> purgeProduced(std::int64_t maxRows) override;
  sdk::Result<std::optional<std::string>> readSignal(SignalWrite::Table table, const std::string& account,
                                                     const std::string& key) override;
  sdk::Status writeSignal(const std::vector<SignalWrite>& writes) override;
  bool healthy() override;

  sdk::Result<std::optional<sdk::InboundMessage>> findByCiphertext(const std::string& account,
                                                                  const std::string& ciphertextHash) override;
  sdk::Result<std::optional<sdk::InboundMessage>> findRedelivery(const std::string& account,
                                                                const std::string& networkId,
                                                                const std::string& ciphertextHash) override;
  sdk::Status createTenant(const std::string& id, const std::string& name) override;
  sdk::Result<std::vector<TenantRecord>> listTenants() override;
  sdk::Status upsertAccount(const AccountRecord& account) override;
  sdk::Result<std::optional<AccountRecord>> getAccount(const std::string& id) override;
  sdk::Result<std::vector<AccountRecord>> listAccounts(const std::optional<std::string>& tenant) override;
  sdk::Status saveDeviceCredentials(const std::string& account, const std::string& credentials) override;
  sdk::Result<std::optional<std::string>> loadDeviceCredentials(const std::string& account) override;
  sdk::Status deleteAccountSecrets(const std::string& account) override;
  sdk::Status appendAudit(const AuditEntry& entry) override;
  sdk::Result<std::vector<AuditEntry>> listAudit(const sdk::TenantId& tenant, int limit) override;
  sdk::Result<std::vector<std::vector<sdk::ContactId>>> findDuplicateContacts(const sdk::TenantId& tenant) override;
  sdk::Result<sdk::Contact> mergeContacts(const sdk::TenantId& tenant, const sdk::ContactId& keep,
                                          const sdk::ContactId& drop) override;
  sdk::Result<CsvImportReport> importContactsCsv(const sdk::TenantId& tenant, const std::string& csv) override;
  sdk::Result<std::string> exportContactsCsv(const sdk::TenantId& tenant) override;

  Database& db() { return *core_->db; }

 private:
  sdk::Status createTenantIfMissing(const std::string& id);

  std::shared_ptr<StoreCore> core_;
  std::mutex tenantsMutex_;
  std::map<sdk::TenantId, std::shared_ptr<sdk::TenantStorage>> tenants_;
};

/// Writes Signal rows (sealed) on a connection inside the caller's transaction.
void writeSignalRows(Connection& c, const KeySealer& sealer, const std::vector<SignalWrite>& writes);

/// The Signal writes of a whole batch, written once per row at the end: a burst from one peer
/// rewrites its session with every message, and inside one transaction only the last value of
/// each row is ever seen, so the earlier ones need neither sealing nor a statement.
class SignalBatch {
 public:
  /// Keeps pointers: the writes must outlive write().
  void add(const std::vector<SignalWrite>& writes);
  void write(Connection& c, const KeySealer& sealer);

 private:
  // Rows are told apart by (table, account, key), compared in place: no key strings are built.
  struct SameRowHash {
    std::size_t operator()(const SignalWrite* w) const;
  };
  struct SameRow {
    bool operator()(const SignalWrite* a, const SignalWrite* b) const;
  };
  std::vector<const SignalWrite*> last_;
  std::unordered_map<const SignalWrite*, std::size_t, SameRowHash, SameRow> index_;  // row -> slot in last_
};
/// Inserts outbox rows on a connection inside the caller's transaction.
void insertOutboxRows(Connection& c, const std::vector<OutboxRecord>& records);
void insertOutboxRow(Connection& c, const OutboxRecord& record);

}  // namespace switchboard::host::storage
