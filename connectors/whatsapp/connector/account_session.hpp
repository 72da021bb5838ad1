#pragma once

// One WhatsApp account as a linked device: its connection, pairing, login, keepalive, reconnects,
// and the messages it receives and sends. Everything of one account runs on one strand of the
// host's pool; an idle connected account holds its socket, a few timers and its credentials.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "connector/backoff.hpp"
#include "connector/client_payload.hpp"
#include "connector/connector_config.hpp"
#include "connector/connector_metrics.hpp"
#include "connector/device_credentials.hpp"
#include "connector/group_info.hpp"
#include "connector/iq_tracker.hpp"
#include "connector/media_conn.hpp"
#include "connector/media_crypto.hpp"
#include "connector/media_fetch.hpp"
#include "connector/message_content.hpp"
#include "connector/pairing_code.hpp"
#include "connector/send_pacer.hpp"
#include "connector/server_verdict.hpp"
#include "connector/session_state.hpp"
#include "connector/signal_store_adapter.hpp"
#include "protocol/jid.hpp"
#include "protocol/noise_socket.hpp"
#include "signal/address.hpp"
#include "signal/bundle.hpp"
#include "connector/tenant_turns.hpp"
#include "switchboard/sdk/context.hpp"

namespace switchboard::whatsapp::connector {

/// What all sessions of one connector instance share. Outlives every session.
struct SessionEnvironment {
  const ConnectorSettings& settings;
  sdk::Logger& logger;
  sdk::InboundSink& inbound;
  sdk::ConnectorStorage& storage;
  ConnectorMetrics& metrics;
  std::string stateDir;   ///< QR images go here
  std::string mediaDir;   ///< media descriptors go here
  std::shared_ptr<boost::asio::ssl::context> tls;  ///< for wss:// (null: ws:// only)
  std::shared_ptr<sdk::HttpClient> http;           ///< the host's client for media hosts (null: no media)
  /// Messages handed to the pipeline whose `done` has not run yet: the connector's code must stay
  /// loaded until it has (see SessionManager::stop).
  std::atomic<int> deliveriesInFlight{0};
  /// Turns at decryption, fair between tenants (null: each session decrypts as messages come).
  std::shared_ptr<TenantTurns> turns;
};

class AccountSession : public std::enable_shared_from_this<AccountSession> {
 public:
  AccountSession(SessionEnvironment& env, AccountSettings account, boost::asio::io_context& io);
  ~AccountSession();

  /// Loads credentials and connects (asynchronously, on the strand).
  void start();
  /// Closes the connection and cancels every timer; `done` runs on the strand once nothing of this
  /// session is pending any more.
  void stop(std::function<void()> done = {});
  /// An operator's logout: asks the server to remove this device (remove-companion-device), so the
  /// phone no longer lists it, then stops as stop() does. Not connected, or no answer within a few
  /// seconds: it stops all the same (the credentials are deleted here either way).
  void unlinkThenStop(std::function<void()> done);
  /// Sends a command's message (asynchronously); the result goes to InboundSink::result.
  void execute(sdk::OutboundCommand command);
  /// Starts over after logged_out or parked: forgets the parked state and connects.
  void resume();

  SessionState state() const { return publicState_.load(); }
  const AccountSettings& account() const { return account_; }

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;
  friend class SessionTestPeer;

  // --- connection (account_session.cpp) ---
  void connect();
  void onSocket(std::uint64_t generation, sdk::Result<std::shared_ptr<NoiseSocket>> socket);
  void onFrame(std::uint64_t generation, Bytes frame);
  void onClosed(std::uint64_t generation, sdk::Status status);
  void connectionLost(const std::string& reason);
  void scheduleReconnect(const std::string& reason);
  void applyVerdict(const ServerVerdict& verdict, const std::string& kind);
  void logOut(const std::string& reason);
  void park(const std::string& reason);
  void closeSocket(bool abort = false);
  void moveTo(SessionState to, const std::string& reason);
  void emit(const std::string& type, std::map<std::string, std::string> attributes, const std::string& subject = {});
  void send(const Node& node);
  void sendIq(Node iq, IqTracker::Callback callback);
  void armIqTimer();
  void scheduleKeepalive();
  void handleNode(const Node& node);
  void handleIq(const Node& node);
  void handleNotification(const Node& node);
  void handleIb(const Node& node);
  void ack(const Node& stanza, const std::string& error = {});
  sdk::Status saveCredentials();
  PayloadOptions payloadOptions() const;
  sdk::Result<DeviceCredentials> freshCredentials();

  // --- pairing (session_pairing.cpp) ---
  void onPairDevice(const Node& iq);
  void showNextQr();
  void onPairSuccess(const Node& iq);
  void requestPairingCode();
  void onLinkCodeNotification(const Node& notification);

  // --- after login (session_login.cpp) ---
  void onSuccess(const Node& success);
  void checkPreKeys(bool force);
  void uploadPreKeys(std::uint32_t count);

  // --- receiving (session_receive.cpp) ---
  void queueMessage(const Node& message);
  void processInbox();
  void processMessage(std::shared_ptr<const Node> message);
  void finishMessage(const Node& message, const std::string& receiptType);
  void sendRetryReceipt(const Node& message, const sdk::Error& why);
  void retryInboxLater();
  /// Puts `c` back at the head of the outbox and pumps again in a second (storage away).
  void postponeSend(const sdk::OutboundCommand& c);
  void handleReceipt(const Node& receipt);
  void deliverInbound(std::shared_ptr<const Node> message, sdk::InboundDelivery delivery, const std::string& receiptType);

  // --- media (session_media.cpp) ---
  void withMediaConn(std::function<void(sdk::Result<MediaConn>)> then);
  void fetchMediaThenDeliver(std::shared_ptr<const Node> message, sdk::InboundDelivery delivery, MediaLocator locator,
                             std::string receiptType);
  void sendMedia(const sdk::OutboundCommand& command);

  // --- groups (session_group.cpp) ---
  void onGroupNotification(const Node& notification);
  void sendToGroup(const sdk::OutboundCommand& command, const Jid& group);
  void groupDevices(const sdk::OutboundCommand& command, const Jid& group, const GroupInfo& info);
  void groupMessageAcked(const std::string& id, bool accepted);

  // --- sending (session_send.cpp) ---
  void runCommand(const sdk::OutboundCommand& command);
  void pumpOutbox();
  void sendText(const sdk::OutboundCommand& command);
  void markRead(const sdk::OutboundCommand& command);
  void fail(const sdk::OutboundCommand& command, const std::string& code, const std::string& reason);
  void handleMessageAck(const Node& ack);
  void answerRetryReceipt(const Node& receipt);
  void requeueUnacknowledged();

  SessionEnvironment& env_;
  AccountSettings account_;
  Strand strand_;
  boost::asio::steady_timer reconnectTimer_, keepaliveTimer_, iqTimer_, qrTimer_, inboxTimer_, sendTimer_;
  SessionStateMachine machine_;
  std::atomic<SessionState> publicState_{SessionState::Idle};
  Backoff backoff_;
  bool stopping_ = false;
  bool unlinking_ = false;  ///< our remove-companion-device is out: the server's device_removed is ours
  bool restartNow_ = false;
  std::uint64_t generation_ = 0;  // of the current connection; stale callbacks are ignored
  std::shared_ptr<NoiseSocket> socket_;
  IqTracker iqs_;
  std::optional<DeviceCredentials> creds_;
  StoredSignalStore signalStore_;

  // Pairing in progress (registration connection only).
  std::vector<std::string> qrRefs_;
  std::size_t qrIndex_ = 0;
  std::optional<CodePairing> codePairing_;

  // Received stanzas wait here while the one before them is being committed.
  std::deque<std::shared_ptr<const Node>> inbox_;  // shared with the store callback: no copy per step
  bool inboxBusy_ = false;
  std::map<std::string, int> retryCounts_;  // message id -> retry receipts sent

  // Sends waiting for the server's ack: message id -> command.
  std::map<std::string, sdk::OutboundCommand> awaitingAck_;
  SendPacer pacer_;
  std::deque<sdk::OutboundCommand> outbox_;  // waiting for the connection or for pacing
  bool sendBusy_ = false;                      // one send is being prepared (device lists, keys)
  std::map<std::string, std::string> lidOf_;   // phone-number user -> LID user, from device lists
  struct SendTarget {
    std::string jid;       // the device as the stanza addresses it
    SignalAddress address; // where its session lives (the LID form when known)
    bool own = false;      // one of our own other devices (gets the DeviceSentMessage)
  };
  void deliverText(const sdk::OutboundCommand& command, const std::string& id, const Jid& to,
                   std::vector<SendTarget> targets, std::map<std::string, PreKeyBundle> bundles);
  SignalAddress addressFor(const Jid& device) const;
  /// The targets we hold no Signal session with (their bundles must be fetched first); an error
  /// when the store cannot be read (the send is retried).
  sdk::Result<std::vector<std::string>> devicesWithoutSession(const std::vector<SendTarget>& targets);
  /// The `encrypt` iq that fetches prekey bundles for these devices.
  static Node bundleRequest(const std::vector<std::string>& devices);
  void deliverGroup(const sdk::OutboundCommand& command, const Jid& group, bool lidGroup,
                    std::vector<SendTarget> needKey, std::map<std::string, PreKeyBundle> bundles);
  std::map<std::string, GroupInfo> groups_;  // group JID -> members, until a w:gp2 notification
  // Devices that acknowledged holding our sender key, per group; and those a sent message is
  // handing it to, by message id, until the server's ack.
  std::map<std::string, std::set<std::string>> skdmHolders_;
  std::map<std::string, std::pair<std::string, std::vector<std::string>>> pendingKeyHolders_;
  bool preKeyUploadRunning_ = false;

  // Media: the server's hosts and upload token, requests waiting for them, the transfer running.
  MediaConn mediaConn_;
  std::vector<std::function<void(sdk::Result<MediaConn>)>> mediaConnWaiters_;
  FetchHandle mediaTransfer_;   // the download of the message at the inbox's head
  FetchHandle uploadTransfer_;  // the upload of the command being sent
  /// Uploaded media of commands being sent, by command id: a resend does not upload again.
  struct PreparedMedia {
    std::string mediaType;  // image, video, audio, document, sticker
    EncryptedMedia encrypted;
    UploadedMedia uploaded;
  };
  std::map<std::string, PreparedMedia> preparedMedia_;
};

}  // namespace switchboard::whatsapp::connector
