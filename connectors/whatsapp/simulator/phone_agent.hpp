#pragma once

// The Signal side of a simulated primary phone: its own keys (the account key is its identity),
// sessions with every device it talks to, sender keys of its groups. It decrypts what is sent to
// device 0 and answers with delivery or retry receipts, sends text to any account the way a real
// client does (bundles, one <enc> per device, DeviceSentMessage to its own companions), resends on
// retry receipts, and greets new companions with encrypted peer messages.
//
// All Signal work runs on the phone's own strand, never under the server's lock; the agent talks
// to the server through the small PhoneHost interface, which takes the lock itself.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/strand.hpp>
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "protocol/binary_node.hpp"
#include "signal/bundle.hpp"
#include "signal/memory_store.hpp"
#include "signal/protocol.hpp"
#include "simulator/stanza.hpp"

namespace switchboard::wasim {

/// One device a phone message goes to.
struct PhoneTarget {
  std::string jid;                        ///< as written in <to jid>
  whatsapp::SignalAddress address;        ///< the session's address (always the LID form)
  bool own = false;                       ///< one of the phone's own companions (gets a DeviceSentMessage)
  std::optional<whatsapp::PreKeyBundle> bundle;  ///< fetched when there was no session yet
};

/// What the phone needs from the server; every call takes the server's lock.
class PhoneHost {
 public:
  virtual ~PhoneHost() = default;
  /// The devices a message from `phone` to `chatJid` goes to; `hasSession` says which need a
  /// bundle (fetched, popping a one-time prekey, as a client's fetch would). Nothing when the
  /// chat is not an account.
  virtual std::optional<std::vector<PhoneTarget>> phoneTargets(
      const std::string& phone, const std::string& chatJid,
      const std::function<bool(const whatsapp::SignalAddress&)>& hasSession) = 0;
  /// The bundle of one companion of the phone's own account (nothing if it is gone).
  virtual std::optional<PhoneTarget> ownCompanion(const std::string& phone, std::uint16_t device) = 0;
  /// Sends a stanza (message or receipt) as device 0 of `phone`. @return the relay's error code.
  virtual int phoneSend(const std::string& phone, const whatsapp::Node& stanza) = 0;
  /// The phone decrypted (or failed to decrypt) inbox entry `id`.
  virtual void phoneDecrypted(const std::string& phone, const std::string& id, const std::string& text,
                              const std::string& error) = 0;
  /// More one-time prekeys for the server to hand out.
  virtual void phonePreKeys(const std::string& phone, const std::vector<whatsapp::PreKeyPublic>& keys) = 0;
};

/// Who sent a stanza to the phone, resolved by the server when it arrived.
struct PhoneIncoming {
  whatsapp::Node stanza;
  std::string authorLid;  ///< the sending device's LID JID (its Signal address)
  std::string group;      ///< the group JID for group messages
  bool ownAuthor = false;  ///< sent by one of the phone's own companions
};

class PhoneAgent : public std::enable_shared_from_this<PhoneAgent> {
 public:
  /// A new phone: identity = the account key, signed prekey 1, `preKeys` one-time prekeys.
  static sdk::Result<std::shared_ptr<PhoneAgent>> create(boost::asio::any_io_executor executor, std::string phone,
                                                         const whatsapp::KeyPair& identity, std::uint32_t registrationId,
                                                         std::size_t preKeys);
  /// A phone from its snapshot rows (table, key, value).
  static sdk::Result<std::shared_ptr<PhoneAgent>> restore(
      boost::asio::any_io_executor executor, std::string phone,
      const std::vector<std::tuple<whatsapp::SignalTable, std::string, whatsapp::Bytes>>& rows,
      std::uint32_t nextPreKeyId);

  void setHost(std::weak_ptr<PhoneHost> host) { host_ = std::move(host); }
  const whatsapp::SignedPreKeyPublic& signedPreKey() const { return signedPreKey_; }
  /// The one-time prekeys made at creation (the server's first stock).
  const std::vector<whatsapp::PreKeyPublic>& initialPreKeys() const { return initialPreKeys_; }

  // Work posted to the phone's strand.
  void receive(PhoneIncoming incoming);
  /// Sends text to a user JID (PN or LID) under message id `id`.
  void sendText(std::string chatJid, std::string text, std::string id);
  /// Greets a companion just linked: app-state key share, then "no history" (peer messages).
  void welcome(std::uint16_t device, std::vector<whatsapp::Bytes> messages);
  /// Makes `count` more one-time prekeys and hands them to the server.
  void topUpPreKeys(std::size_t count);

  /// Snapshot of the Signal state (any thread).
  std::vector<std::tuple<whatsapp::SignalTable, std::string, whatsapp::Bytes>> rows() const;
  std::uint32_t nextPreKeyId() const { return nextPreKeyId_.load(); }

  PhoneAgent(boost::asio::any_io_executor executor, std::string phone);

 private:
  struct Sent {
    std::string chatJid;
    whatsapp::Bytes message;  ///< the serialized WhatsApp Message (unpadded)
  };
  void onMessage(const PhoneIncoming& in);
  void onRetryReceipt(const PhoneIncoming& in);
  sdk::Result<whatsapp::CipherMessage> encryptTo(whatsapp::SignalProtocol& sp, const PhoneTarget& target,
                                                 whatsapp::ByteView message, const std::string& chatJid);
  void sendRetryReceipt(const PhoneIncoming& in, int count);
  void remember(const std::string& id, Sent sent);
  /// The phone's libsignal context over its store, made once (strand only): a new one per message
  /// would set up libsignal's store callbacks and load the phone's identity again each time.
  whatsapp::SignalProtocol& signal();

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::string phone_;
  std::weak_ptr<PhoneHost> host_;
  whatsapp::MemorySignalStore store_;
  whatsapp::SignedPreKeyPublic signedPreKey_;
  std::vector<whatsapp::PreKeyPublic> initialPreKeys_;
  std::atomic<std::uint32_t> nextPreKeyId_{1};  // written on the strand, read for snapshots
  std::map<std::string, Sent> sent_;  // strand only: what a retry may ask for again
  std::deque<std::string> sentOrder_;
  std::map<std::string, int> retries_;  // strand only: retry receipts sent per message id
  std::deque<std::string> retryOrder_;
  std::unique_ptr<whatsapp::SignalProtocol> signal_;  // strand only
  std::unordered_set<std::string> withSession_;  // strand only: addresses ("name.device") known to have a session
};

}  // namespace switchboard::wasim
