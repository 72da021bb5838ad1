#pragma once

// The simulator's server: accepts WebSocket connections, runs the Noise responder with the
// simulator's own certificate chain, authenticates ClientPayloads, and dispatches stanzas.
// World state lives behind one mutex; stanzas to a connection are queued while it is held, so
// every device sees stanzas in the order the server decided them. Handlers are spread over
// server_*.cpp by subject (pairing, iq, prekeys, usync, relay, receipts, groups).

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "protocol/websocket_transport.hpp"
#include "simulator/connection.hpp"
#include "simulator/media.hpp"
#include "simulator/phone_agent.hpp"
#include "simulator/simulator.hpp"
#include "simulator/state.hpp"

namespace switchboard::wasim {

class Server : public PhoneHost, public std::enable_shared_from_this<Server> {
 public:
  static sdk::Result<std::shared_ptr<Server>> start(asio::any_io_executor executor, SimulatorOptions options);
  ~Server() override;

  void stop();
  std::uint16_t port() const;
  whatsapp::Key32 rootPublicKey() const { return root_.pub; }
  std::string mediaHost() const { return media_ ? media_->host() : std::string(); }
  std::string mediaCaPem() const { return media_ ? media_->caPem() : std::string(); }
  const SimulatorOptions& options() const { return options_; }

  // The Simulator API (see simulator.hpp); each takes the mutex itself.
  sdk::Result<AccountInfo> createAccount(std::string_view phone, std::string_view pushName);
  sdk::Result<AccountInfo> accountInfo(std::string_view phone) const;
  std::vector<AccountInfo> accountInfos() const;
  sdk::Result<std::vector<DeviceInfo>> deviceInfos(std::string_view phone) const;
  sdk::Result<DeviceInfo> linkDevice(std::string_view phone, const DirectLink& link);
  sdk::Status unlinkDevice(std::string_view phone, std::uint16_t device);
  std::vector<PendingPairing> pendingPairings() const;
  sdk::Status scanQr(std::string_view phone, std::string_view qr);
  sdk::Status confirmPairingCode(std::string_view phone, std::string_view code);
  sdk::Result<std::vector<PhoneMessage>> phoneInbox(std::string_view phone) const;
  sdk::Result<std::string> phoneSendText(std::string_view phone, std::string_view to, std::string_view text);
  sdk::Result<std::string> createGroup(std::string_view creator, std::string_view subject,
                                       const std::vector<std::string>& members);
  sdk::Status changeGroupMembers(std::string_view actor, std::string_view group, std::string_view action,
                                 const std::vector<std::string>& phones);
  sdk::Status injectFault(std::string_view phone, std::uint16_t device, StreamFault fault);
  sdk::Status setSendDelay(std::string_view phone, std::uint16_t device, std::chrono::milliseconds delay);
  sdk::Status failNextLogin(std::string_view phone, std::uint16_t device, int reason);
  /// Every login that found an earlier connection of the same companion still open.
  std::vector<LoginOverlap> loginOverlaps() const;
  /// Successful logins per account since the start.
  std::map<std::string, std::uint64_t> loginCounts() const;
  void onEvent(std::function<void(const SimEvent&)> handler);

  /// Handles one decoded stanza from a connection as if it had arrived on the wire (the fuzz
  /// target drives the dispatcher through this).
  void handleNode(const std::shared_ptr<Connection>& conn, const Node& node);
  /// Makes a connection that is not backed by a socket (fuzzing): it is logged in as the given
  /// companion, or registering when device is 0.
  std::shared_ptr<Connection> attachDetached(asio::any_io_executor strand, std::string_view phone,
                                             std::uint16_t device);

  // PhoneHost (server_phone.cpp): what the phones' agents ask of the server.
  std::optional<std::vector<PhoneTarget>> phoneTargets(
      const std::string& phone, const std::string& chatJid,
      const std::function<bool(const whatsapp::SignalAddress&)>& hasSession) override;
  std::optional<PhoneTarget> ownCompanion(const std::string& phone, std::uint16_t device) override;
  int phoneSend(const std::string& phone, const whatsapp::Node& stanza) override;
  void phoneDecrypted(const std::string& phone, const std::string& id, const std::string& text,
                      const std::string& error) override;
  void phonePreKeys(const std::string& phone, const std::vector<whatsapp::PreKeyPublic>& keys) override;

  /// Events collected while the mutex is held, fired after it is released.
  struct Effects {
    std::vector<SimEvent> events;
    bool snapshot = false;
  };

 private:
  Server(asio::any_io_executor executor, SimulatorOptions options);
  sdk::Status listen();

  // Connection lifecycle (server.cpp).
  void onAccept(whatsapp::WsConnectionPtr ws);
  void onReady(const std::shared_ptr<Connection>& conn, sdk::Result<whatsapp::NoiseSocket::Accepted> accepted);
  void onFrame(const std::shared_ptr<Connection>& conn, const Bytes& frame);
  void onClosed(const std::shared_ptr<Connection>& conn);
  void beginLogin(const std::shared_ptr<Connection>& conn, const LoginPayload& login, Effects& fx);
  void dispatch(const std::shared_ptr<Connection>& conn, const Node& node, Effects& fx);
  void fire(Effects& fx);
  sdk::Status injectFaultLocked(std::string_view phone, std::uint16_t device, const StreamFault& fault, Effects& fx);
  Device* sessionDevice(const Connection& conn, Account** account = nullptr);
  /// Marks a connection's session over (nothing more it sends is handled). A logged-in companion
  /// is offline from now on, with a Disconnected event (detail says why).
  void endSession(const std::shared_ptr<Connection>& conn, Effects& fx, std::string why = {});

  // Pairing (server_pairing.cpp).
  void beginRegistration(const std::shared_ptr<Connection>& conn, RegistrationPayload reg, Effects& fx);
  void sendPairSuccess(const std::shared_ptr<Connection>& conn, Account& account, whatsapp::ByteView advSecret);
  void onPairDeviceSign(const std::shared_ptr<Connection>& conn, const Node& iq, Effects& fx);
  void onLinkCodeIq(const std::shared_ptr<Connection>& conn, const Node& iq, Effects& fx);
  std::shared_ptr<Connection> registeringConnection(const std::function<bool(const Session&)>& pred) const;
  void scheduleRefExpiry(const std::shared_ptr<Connection>& conn);
  /// Queues what the phone tells a companion it just linked (app-state key, history notice).
  void welcomeCompanion(Account& account, std::uint16_t device, Effects& fx);

  // Iq (server_iq.cpp, server_prekeys.cpp, server_usync.cpp).
  void onIq(const std::shared_ptr<Connection>& conn, const Node& iq, Effects& fx);
  void onEncryptIq(Connection& conn, const Node& iq);
  void onUsyncIq(Connection& conn, const Node& iq);
  void flushOffline(const std::shared_ptr<Connection>& conn);
  Node bundleFor(const std::string& requestedJid);
  /// A device's bundle as a fetch hands it out: pops one one-time prekey (device 0: the phone's).
  std::optional<whatsapp::PreKeyBundle> takeBundle(Account& account, std::uint16_t device);
  /// Gives a new account's phone its Signal side (or restores it from snapshot rows).
  sdk::Status attachPhone(Account& account);

  // Relay (server_relay.cpp, server_receipts.cpp, server_groups.cpp).
  void onMessage(Connection& conn, const Node& message, Effects& fx);
  void onReceipt(Connection& conn, const Node& receipt, Effects& fx);
  void onAck(Connection& conn, const Node& ack);
  void onPresence(Connection& conn, const Node& presence);
  void onChatstate(Connection& conn, const Node& chatstate);
  void onGroupIq(Connection& conn, const Node& iq);
  /// Fans a message out as sent by (sender, senderDevice), a companion or the phone (device 0).
  /// @return 0, or the error code of the server ack
  int relayMessage(Account& sender, std::uint16_t senderDevice, const Node& message, Effects& fx);
  int relayGroupMessage(Account& sender, std::uint16_t senderDevice, const Node& message, const Jid& to, Effects& fx);
  /// Forwards a receipt as sent by (reader, readerDevice).
  void relayReceipt(Account& reader, std::uint16_t readerDevice, const Node& receipt, Effects& fx);
  Node groupNode(const Group& group);
  /// `<notification type="w:gp2">` with `change` to every device of the members (and of `alsoTell`,
  /// members who just left or were removed).
  void notifyGroup(const Group& group, const std::string& authorPhone, const Node& change,
                   const std::vector<std::string>& alsoTell = {});
  /// The stanza one device receives for a one-to-one message (payload added by the caller).
  Node directStanza(const Node& message, const Account& sender, std::uint16_t senderDevice, const Address& target,
                    const std::string& chat);
  /// Queues a stanza for a device and sends it now when the device is online. Device 0 is the
  /// simulated phone: it receives at once and answers like a phone would.
  void deliver(Account& account, std::uint16_t device, PendingStanza::Kind kind, Node node, Effects& fx);
  void phoneReceive(Account& account, const Node& node, Effects& fx);
  /// Tells the account's own companions, its peers and its groups' members that a companion was
  /// added or removed (`<notification type="devices">`), so they refresh their device lists.
  /// Ends the device's connections with device_removed and forgets it (mutex held).
  void removeDevice(Account& account, std::uint16_t device, Effects& fx);
  void notifyDevices(Account& account, std::string_view change, std::uint16_t device, std::uint32_t keyIndex, Effects& fx);
  /// `<notification type="encrypt"><count/></notification>`: the companion's prekeys run low.
  void notifyLowPreKeys(Account& account, Device& device);
  void addPeers(Account& a, Account& b);
  /// Drops the device's pending stanzas of this kind whose id matches.
  void acknowledge(Device& device, PendingStanza::Kind kind, const std::vector<std::string_view>& ids);

  asio::any_io_executor executor_;
  SimulatorOptions options_;
  whatsapp::KeyPair root_;
  whatsapp::KeyPair intermediate_;
  whatsapp::KeyPair leaf_;
  Bytes certChain_;
  std::shared_ptr<whatsapp::WsAcceptor> acceptor_;
  std::unique_ptr<MediaServer> media_;

  mutable std::mutex mutex_;
  World world_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> connections_;
  std::uint64_t nextConnectionId_ = 1;
  /// Per (phone:device): an injected login failure, and a send delay.
  std::unordered_map<std::string, int> loginFailures_;
  std::vector<LoginOverlap> overlaps_;
  std::map<std::string, std::uint64_t> logins_;
  std::unordered_map<std::string, std::chrono::milliseconds> sendDelays_;
  bool stopped_ = false;

  std::mutex eventMutex_;
  std::function<void(const SimEvent&)> eventHandler_;
};

}  // namespace switchboard::wasim
