#pragma once

/// @file
/// @brief What a connector keeps in the host's database without touching SQL: device credentials,
/// end-to-end encryption state (Signal records), the accounts it runs, the messages it sent (to
/// answer retry requests), and the received messages it may be asked for again.
///
/// Reached through PluginContext::connectorStorage() (SDK 1.1). Secrets (credentials, Signal
/// records) are sealed at rest by the host; the connector sees and hands over plain bytes.
/// Calls block on the database: make them from the plugin's strand, not from a hot handler.
/// A Retriable error means the database is unreachable for now; nothing was changed.

#include <optional>
#include <string>
#include <vector>

#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::sdk {

/// @brief The five record kinds of a Signal protocol store.
enum class SignalTable { Identity, Session, PreKey, SignedPreKey, SenderKey };

/// @brief One change to an account's Signal store.
struct SignalRecordWrite {
  SignalTable table = SignalTable::Session;
  std::string key;                   ///< Address ("user.device"), prekey id, or "group:sender".
  std::optional<std::string> value;  ///< Serialized record (opaque bytes); nullopt removes the record.
};

/// @brief An account this connector instance runs, as the host records it.
struct ConnectorAccount {
  AccountId id;
  TenantId tenant = kDefaultTenant;
  std::string jid;      ///< The device's own address once paired ("" before).
  std::string name;     ///< Display name, if known.
  std::string state;    ///< The connector's word for it: new, paired, logged_out, banned ...
};

/// @brief A message this connector sent, kept so a retry request can be answered with the same
/// plaintext re-encrypted for the device that could not decrypt it.
struct SentMessage {
  std::string networkId;   ///< The network's message id.
  std::string chat;        ///< Where it went (a JID).
  std::string payload;     ///< The unencrypted, serialized message (opaque bytes).
  TimestampMs sentAt = 0;
  CommandId commandId;     ///< The command it carried out ("" when none), for receipts.
};

/// @brief A received message handed to the pipeline together with what decrypting it changed:
/// the host commits the message, its Signal writes and its ciphertext hash in one transaction.
struct InboundDelivery {
  InboundMessage message;
  std::string ciphertextHash;               ///< Hex SHA-256 of the ciphertext; "" when there was none.
  std::vector<SignalRecordWrite> signal;    ///< Applied in order, only if the message is new.
};

/// @brief Storage for one connector instance. Owned by the host; lives as long as the context.
/// Thread-safe: calls may come from any thread (each is its own transaction).
class ConnectorStorage {
 public:
  virtual ~ConnectorStorage() = default;

  /// @brief The account's device credentials (opaque bytes), or nothing before pairing.
  virtual Result<std::optional<std::string>> loadCredentials(const AccountId& account) = 0;
  /// @brief Replaces the account's device credentials.
  virtual Status saveCredentials(const AccountId& account, const std::string& credentials) = 0;
  /// @brief Forgets the account's credentials and its whole Signal store, in one transaction (logout).
  virtual Status deleteCredentials(const AccountId& account) = 0;

  /// @brief One Signal record, or nothing when absent.
  virtual Result<std::optional<std::string>> getSignal(const AccountId& account, SignalTable table,
                                                       const std::string& key) = 0;
  /// @brief Applies writes (puts and removals) in one transaction.
  virtual Status putSignal(const AccountId& account, const std::vector<SignalRecordWrite>& writes) = 0;
  /// @brief Removes one record (no error when it was absent).
  virtual Status removeSignal(const AccountId& account, SignalTable table, const std::string& key) = 0;

  /// @brief The accounts this plugin instance recorded with putAccount, across tenants.
  virtual Result<std::vector<ConnectorAccount>> accounts() = 0;
  /// @brief Records (or updates) an account of this instance; also updates the host's account table.
  virtual Status putAccount(const ConnectorAccount& account) = 0;

  /// @brief Keeps a sent message (replacing one with the same network id).
  virtual Status saveSent(const AccountId& account, const SentMessage& message) = 0;
  /// @brief A sent message by its network id, or nothing.
  virtual Result<std::optional<SentMessage>> findSent(const AccountId& account, const std::string& networkId) = 0;
  /// @brief Forgets sent messages older than `before` (their retry window is over).
  virtual Status pruneSent(const AccountId& account, TimestampMs before) = 0;

  /// @brief The message stored earlier from a stanza with this ciphertext hash (a redelivery), or nothing.
  virtual Result<std::optional<InboundMessage>> findInboundByCiphertext(const AccountId& account,
                                                                        const std::string& ciphertextHash) = 0;

  // ---- SDK 1.3 ----

  /// @brief The message stored earlier from this stanza (same network id, same ciphertext hash): a
  /// redelivery, or nothing. Found through the host's dedupe key, where findInboundByCiphertext
  /// scans; a host before 1.3 answers through findInboundByCiphertext.
  virtual Result<std::optional<InboundMessage>> findInboundRedelivery(const AccountId& account,
                                                                      const std::string& networkId,
                                                                      const std::string& ciphertextHash) {
    (void)networkId;
    return findInboundByCiphertext(account, ciphertextHash);
  }
};

}  // namespace switchboard::sdk
