#pragma once

// The simulator's world: accounts (phone numbers with a LID), their simulated primary phones and
// linked companion devices, per-device queues of stanzas not yet acknowledged, and groups.
// Plain data; the Server guards it with one mutex.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "protocol/binary_node.hpp"
#include "protocol/crypto.hpp"
#include "protocol/jid.hpp"
#include "simulator/pending_queue.hpp"

namespace switchboard::wasim {

class Connection;
class PhoneAgent;

struct PreKey {
  std::uint32_t id = 0;
  whatsapp::Key32 pub{};
  whatsapp::Key32 priv{};  ///< known for the simulated phone's keys only
};

struct SignedPreKey {
  std::uint32_t id = 0;
  whatsapp::Key32 pub{};
  whatsapp::Signature signature{};
  whatsapp::Key32 priv{};  ///< known for the simulated phone's keys only
};

/// Approximate memory of a stanza: its strings and byte contents.
std::size_t stanzaBytes(const whatsapp::Node& node);

/// A linked companion device (device id >= 1).
struct Device {
  std::uint16_t id = 0;
  std::uint32_t keyIndex = 0;
  whatsapp::Key32 noiseKey{};
  std::uint32_t registrationId = 0;
  whatsapp::Key32 identity{};
  SignedPreKey signedPreKey;
  std::deque<PreKey> preKeys;
  whatsapp::Bytes signedIdentity;  ///< ADVSignedDeviceIdentity as the companion countersigned it
  std::string platform;            ///< e.g. "Chrome (Mac OS)"
  std::uint64_t linkedAt = 0;
  PendingQueue pending;              ///< bounded by count and bytes (see SimulatorOptions)
  std::uint64_t droppedPending = 0;  ///< stanzas dropped because the queue was full
  std::weak_ptr<Connection> live;    ///< the logged-in connection that has flushed its queue
  std::weak_ptr<Connection> connecting;  ///< logged in, offline queue not yet delivered
};

/// What the simulated primary phone received: one entry per stanza addressed to device 0.
struct PhoneInboxEntry {
  std::string id;
  std::string from;         ///< sender device (or group)
  std::string participant;  ///< group messages: the sender device
  std::string type;         ///< stanza type (text, media, ...)
  std::string encType;      ///< pkmsg, msg, skmsg, or "receipt:<type>" for receipts
  whatsapp::Bytes ciphertext;
  std::string text;         ///< the decrypted text, when the phone could decrypt it
  std::string error;        ///< why it could not, when it could not
  std::uint64_t t = 0;
};

/// The account's primary phone (device 0): its identity key signs companions (ADV) and is its
/// Signal identity; it has prekeys of its own so clients can encrypt to it.
struct PrimaryPhone {
  whatsapp::KeyPair identity;
  std::uint32_t registrationId = 0;
  std::uint32_t rawId = 0;  ///< ADVDeviceIdentity.rawId, fixed per account
  SignedPreKey signedPreKey;
  std::deque<PreKey> preKeys;  ///< public halves on the server, handed out one per bundle fetch
  bool topUpRequested = false;   ///< the phone was asked for more one-time prekeys
  std::deque<PhoneInboxEntry> inbox;  ///< bounded: the oldest entry leaves first
  /// The phone's Signal side (its private keys and sessions live there).
  std::shared_ptr<PhoneAgent> agent;
  /// Signal rows read from a snapshot, until the server turns them into the agent.
  std::vector<std::tuple<std::uint8_t, std::string, whatsapp::Bytes>> restoredSignalRows;
  std::uint32_t restoredNextPreKeyId = 1;
  /// The app-state sync key the phone shares with every companion it links.
  whatsapp::Bytes appStateKeyId;
  whatsapp::Bytes appStateKey;
};

struct Account {
  std::string phone;  ///< digits only
  std::string lid;    ///< digits only
  std::string pushName;
  std::uint64_t createdAt = 0;
  PrimaryPhone primary;
  std::map<std::uint16_t, Device> devices;  ///< companions, by device id
  /// Accounts this one exchanged one-to-one messages with (who hears of its device changes).
  std::set<std::string> peers;
  std::uint16_t nextDeviceId = 1;
  std::uint32_t nextKeyIndex = 1;

  whatsapp::Jid pnJid(std::uint16_t device = 0) const;
  whatsapp::Jid lidJid(std::uint16_t device = 0) const;
};

struct Group {
  std::string id;  ///< user part of the group JID
  std::string subject;
  std::string creatorPhone;
  std::uint64_t createdAt = 0;
  std::vector<std::string> members;  ///< phone numbers, in join order
  std::vector<std::string> admins;
  /// Members are named by LID (current groups) or by phone number (groups made by clients that
  /// predate LIDs, such as Baileys 6).
  bool lidAddressed = true;

  bool isMember(const std::string& phone) const;
  bool isAdmin(const std::string& phone) const;
};

/// An account and device a JID names (PN or LID form).
struct Address {
  Account* account = nullptr;
  std::uint16_t device = 0;
  bool lid = false;  ///< named through the LID
};

class World {
 public:
  Account* account(const std::string& phone);
  const Account* account(const std::string& phone) const;
  Account* accountByLid(const std::string& lid);
  /// Resolves a user JID (`user[:device]@s.whatsapp.net` or `@lid`) to its account.
  std::optional<Address> resolve(const whatsapp::Jid& jid);
  std::optional<Address> resolve(std::string_view jidText);

  Account& addAccount(Account account);
  Group& addGroup(Group group);
  Group* group(const std::string& id);

  std::map<std::string, Account>& accounts() { return accounts_; }
  const std::map<std::string, Account>& accounts() const { return accounts_; }
  std::map<std::string, Group>& groups() { return groups_; }
  const std::map<std::string, Group>& groups() const { return groups_; }

  /// A fresh LID (15 digits, not yet used).
  std::string newLid();
  std::string newGroupId();

 private:
  std::map<std::string, Account> accounts_;
  std::unordered_map<std::string, std::string> lidToPhone_;
  std::map<std::string, Group> groups_;
};

}  // namespace switchboard::wasim
