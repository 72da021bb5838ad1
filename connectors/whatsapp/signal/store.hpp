#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/bytes.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp {

/// The tables of Signal state one account (one device) keeps. Values are opaque bytes (the
/// library's own record serialisations) to be stored verbatim; keys are short strings:
///
/// | table         | key                        | value |
/// |---------------|----------------------------|-------|
/// | LocalIdentity | `self`                     | LocalIdentity::serialize() (key pair + registration id) |
/// | Identity      | `name.device` (address)    | the peer's 33-byte identity key |
/// | Session       | `name.device`              | session record |
/// | PreKey        | decimal id (`1`..`16777215`) | one-time prekey record |
/// | SignedPreKey  | decimal id                 | signed prekey record |
/// | SenderKey     | `group::name.device`       | sender key record |
enum class SignalTable : std::uint8_t {
  LocalIdentity = 0,
  Identity = 1,
  Session = 2,
  PreKey = 3,
  SignedPreKey = 4,
  SenderKey = 5,
};

/// @return `local_identity`, `identity`, `session`, `prekey`, `signed_prekey` or `sender_key`.
std::string_view signalTableName(SignalTable table);
/// Inverse of signalTableName.
std::optional<SignalTable> parseSignalTable(std::string_view name);

/// The key of the LocalIdentity row.
inline constexpr std::string_view kLocalIdentityKey = "self";

/// Where an account's Signal state lives; the application implements it (SQL rows in the
/// connector, MemorySignalStore in the simulator and tests).
///
/// Contract: a missing row is `std::nullopt`, not an error. An error means the store itself
/// failed (database busy, connection lost); the operation that asked is abandoned and returns
/// SignalErrc::Store with that error's class and text. Values are stored and returned
/// byte for byte. One store belongs to one account and is used by one thread at a time.
class SignalStore {
 public:
  virtual ~SignalStore() = default;

  virtual sdk::Result<std::optional<Bytes>> get(SignalTable table, std::string_view key) = 0;
  /// Inserts or replaces.
  virtual sdk::Status put(SignalTable table, std::string_view key, ByteView value) = 0;
  /// Removing a missing row is not an error.
  virtual sdk::Status remove(SignalTable table, std::string_view key) = 0;
  /// @return the keys of table that begin with prefix, ascending (byte order).
  virtual sdk::Result<std::vector<std::string>> keys(SignalTable table, std::string_view prefix) = 0;
};

/// One pending write: a put (value set) or a remove (value empty).
struct SignalChange {
  SignalTable table = SignalTable::Session;
  std::string key;
  std::optional<Bytes> value;  ///< nothing = delete the row

  bool isRemove() const { return !value.has_value(); }
  bool operator==(const SignalChange&) const = default;
};

/// Applies changes to store in order; stops at the first failure and returns it.
sdk::Status applySignalChanges(SignalStore& store, const std::vector<SignalChange>& changes);

/// Removes the sessions of every device of one Signal address name (`name.*`), e.g. when the
/// server reports that a user's identity changed. @return how many were removed.
sdk::Result<std::size_t> removeAllSessions(SignalStore& store, std::string_view name);

/// Store keys of the tables keyed by number.
std::string preKeyStoreKey(std::uint32_t id);

}  // namespace switchboard::whatsapp
