#pragma once

// The account's Signal store as sb_wasignal sees it, kept in the host's database through the SDK's
// ConnectorStorage. Our own identity (key pair and registration id) is not a database row: it is
// part of the device credentials, and served from them.

#include <optional>

#include "connector/signal_record_cache.hpp"
#include "signal/store.hpp"
#include "switchboard/sdk/connector_storage.hpp"

namespace switchboard::whatsapp::connector {

class StoredSignalStore final : public SignalStore {
 public:
  StoredSignalStore(sdk::ConnectorStorage& storage, std::string account)
      : storage_(storage), account_(std::move(account)) {}

  /// The serialized LocalIdentity served for the LocalIdentity row.
  void setLocalIdentity(Bytes serialized) { localIdentity_ = std::move(serialized); }

  sdk::Result<std::optional<Bytes>> get(SignalTable table, std::string_view key) override;
  sdk::Status put(SignalTable table, std::string_view key, ByteView value) override;
  sdk::Status remove(SignalTable table, std::string_view key) override;
  /// The host keeps no per-table key listing; libsignal only asks for one in calls we do not make.
  sdk::Result<std::vector<std::string>> keys(SignalTable table, std::string_view prefix) override;

  /// Writes this account's Signal rows in one database transaction, keeping the cache in step.
  /// Every write of the account's rows goes through here or through committed().
  sdk::Status putCommitted(const std::vector<sdk::SignalRecordWrite>& writes);
  /// Writes the database committed by another way (the pipeline's transaction with a message).
  void committed(const std::vector<sdk::SignalRecordWrite>& writes) { cache_.committed(writes); }
  /// A write whose outcome is unknown, or rows that may have changed behind us (a new
  /// connection; another daemon ran the account meanwhile): read everything from the database.
  void forgetCached() { cache_.clear(); }

 private:
  sdk::ConnectorStorage& storage_;
  std::string account_;
  std::optional<Bytes> localIdentity_;
  SignalRecordCache cache_;
};

/// The host table of a sb_wasignal table; nothing for LocalIdentity (kept in the credentials).
std::optional<sdk::SignalTable> hostTable(SignalTable table);

/// Converts a transaction's changes into writes for InboundDelivery / putSignal.
std::vector<sdk::SignalRecordWrite> toRecordWrites(const std::vector<SignalChange>& changes);

}  // namespace switchboard::whatsapp::connector
