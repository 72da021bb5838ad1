#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "signal/store.hpp"

namespace switchboard::whatsapp {

/// A write-set overlay over a SignalStore: the unit of work of one encrypt or decrypt.
///
/// Reads fall through to the backing store unless this transaction wrote the row; writes and
/// removes are buffered here, never passed on. Afterwards the caller either
/// - takes changes() and commits them in its own database transaction together with the
///   message (the connector: ratchet state and message are durable together or not at all), or
///   calls commit() to apply them to the backing store, or
/// - drops them (discard(), or destroying the transaction): the backing store was never touched,
///   so the same ciphertext decrypts again later.
///
/// Not thread-safe; the backing store must not change underneath an open transaction (one
/// account's operations run one at a time on its strand).
class SignalTransaction final : public SignalStore {
 public:
  explicit SignalTransaction(SignalStore& backing) : backing_(backing) {}

  sdk::Result<std::optional<Bytes>> get(SignalTable table, std::string_view key) override;
  sdk::Status put(SignalTable table, std::string_view key, ByteView value) override;
  sdk::Status remove(SignalTable table, std::string_view key) override;
  sdk::Result<std::vector<std::string>> keys(SignalTable table, std::string_view prefix) override;

  /// The buffered writes, one per (table, key), the last one winning, in (table, key) order.
  std::vector<SignalChange> changes() const;
  bool empty() const { return writes_.empty(); }

  /// Applies changes() to the backing store, then forgets them. On failure the backing store
  /// may hold a prefix of the changes (it is the caller's transaction that makes them atomic).
  sdk::Status commit();
  /// Forgets every buffered write.
  void discard() { writes_.clear(); }

  SignalStore& backing() { return backing_; }

 private:
  SignalStore& backing_;
  std::map<std::pair<SignalTable, std::string>, std::optional<Bytes>, std::less<>> writes_;
};

}  // namespace switchboard::whatsapp
