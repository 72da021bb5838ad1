#pragma once

/// @file
/// @brief switchboard-wasim in-process API: a local WhatsApp multi-device server with simulated
/// primary phones, for tests, benchmarks and the demo.
///
/// A Simulator runs on the caller's io_context (any number of threads may run it; each client
/// connection is a strand). Every method may be called from any thread; none blocks on the
/// network. Results of things that happen later (a companion finishing its pairing, logging in)
/// are reported through the event callback and are visible in devices().

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/crypto.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::wasim {

class Server;
class LoadRegistry;

struct SimulatorOptions {
  std::string listenAddress = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0: any free port (see Simulator::port())
  /// Where the JSON snapshot of accounts, devices and groups lives; empty keeps state in memory only.
  std::string stateDir;
  /// The Noise root key clients must trust; generated when absent (or loaded from stateDir).
  std::optional<whatsapp::KeyPair> rootKey;
  /// Pause before the first frame after a handshake (clients switch keys only once their
  /// ClientFinish is written; a real server is a round trip away).
  std::chrono::milliseconds firstFrameDelay{250};
  /// QR refs: how many one pair-device carries, and how long each is shown (60 s, then 20 s).
  int qrRefs = 6;
  std::chrono::milliseconds qrFirstRefLifetime{60'000};
  std::chrono::milliseconds qrNextRefLifetime{20'000};
  /// Unacknowledged stanzas kept per device (count and bytes); the oldest go first beyond this.
  std::size_t maxPendingPerDevice = 10'000;
  std::size_t maxPendingBytesPerDevice = 64u << 20;
  /// One-time prekeys the simulated phone of a new account starts with.
  std::size_t phonePreKeys = 50;
  /// The HTTPS media endpoint (`w:m media_conn` names it); its CA is written to
  /// `<stateDir>/media-ca.pem` when there is a state directory.
  bool media = true;
  std::size_t maxMediaFileBytes = 64u << 20;
};

struct AccountInfo {
  std::string phone;  ///< digits, e.g. "15551230001"
  std::string lid;    ///< digits of the account's LID
  std::string pushName;
  whatsapp::Key32 identityKey{};  ///< the primary phone's identity (ADV account key)
};

struct DeviceInfo {
  std::uint16_t device = 0;
  std::string jid;  ///< "phone:device@s.whatsapp.net"
  std::string lid;  ///< "lid:device@lid"
  std::uint32_t keyIndex = 0;
  std::string platform;
  bool online = false;
  std::size_t preKeys = 0;  ///< one-time prekeys on the server
  std::size_t pending = 0;  ///< stanzas sent or queued, not yet acknowledged
};

/// A registration connection waiting to be linked (what a phone could scan).
struct PendingPairing {
  std::uint64_t connection = 0;
  std::string currentRef;  ///< the ref the companion shows now (empty once all expired)
  whatsapp::Key32 noiseKey{};
  whatsapp::Key32 identityKey{};
  std::string linkCodePhone;  ///< set once the companion asked for a pairing code for this phone
};

/// A stanza the simulated phone (device 0) received.
struct PhoneMessage {
  std::string id;
  std::string from;
  std::string participant;
  std::string type;
  std::string encType;  ///< pkmsg, msg, skmsg; "receipt" for receipts
  whatsapp::Bytes ciphertext;
  std::string text;   ///< decrypted text, when the phone could decrypt it
  std::string error;  ///< why it could not (the phone then asked for a retry)
  std::uint64_t t = 0;
};

/// A companion logged in while an earlier connection of the same companion was still open: two
/// clients ran one linked device at the same moment (the server replaced the older connection).
/// Recorded so tests can prove that an account never runs in two places at once.
struct LoginOverlap {
  std::string phone;
  std::uint16_t device = 0;
  std::uint64_t atMs = 0;  ///< wall clock, milliseconds since the epoch
  std::uint64_t olderConnection = 0;
  std::uint64_t newerConnection = 0;
};

struct SimEvent {
  enum class Kind {
    Connected,       ///< a companion logged in (phone, device)
    Disconnected,    ///< a logged-in companion's connection ended
    Registering,     ///< a new companion is waiting to be linked (connection)
    Paired,          ///< a companion was linked (phone, device); it reconnects next
    PairingFailed,   ///< the companion's countersignature or pairing code was wrong (detail)
    LoginRefused,    ///< a login was refused with <failure reason="401"/> (detail)
    MessageRelayed,  ///< a client message was accepted and fanned out (phone, device, detail = id)
    PhoneReceived,   ///< the simulated phone of `phone` received (and tried to decrypt) a stanza (detail = id)
    Unlinked,        ///< a companion was removed (phone, device): by the phone or by itself (logout)
  };
  Kind kind;
  std::string phone;
  std::uint16_t device = 0;
  std::uint64_t connection = 0;
  std::string detail;
};

/// A companion linked without the pairing dance (benchmarks, and tests that are not about
/// pairing). The simulator signs the device identity with the account key and countersigns it
/// with `identity`, exactly as pairing would have.
struct DirectLink {
  whatsapp::Key32 noiseKey{};
  whatsapp::KeyPair identity;
  std::uint32_t registrationId = 0;
  std::uint32_t signedPreKeyId = 1;
  whatsapp::Key32 signedPreKey{};
  whatsapp::Signature signedPreKeySignature{};  ///< by `identity` over 0x05 || signedPreKey
  std::string platform = "Chrome (Linux)";
};

/// How a fault is injected into one device's connection.
struct StreamFault {
  enum class Kind {
    Drop,         ///< TCP reset, no close frame
    Close,        ///< <xmlstreamend/> then a clean WebSocket close
    StreamError,  ///< <stream:error code=…> (and a <conflict type=…/> child when `conflict` is set), then close
    Failure,      ///< <failure reason=…/>, then close
  };
  Kind kind = Kind::Drop;
  int code = 515;
  std::string conflict;  ///< e.g. "replaced", "device_removed"
};

/// Simulated phones sending text at a configured pace (benchmarks). Message k (k = 0, 1, ...) goes
/// from senders[k % senders.size()] to recipients[k % recipients.size()], encrypted by the sending
/// phone exactly as phoneSendText does, with the text "<text> <k>".
struct LoadSpec {
  std::vector<std::string> senders;     ///< phone numbers of accounts whose phones send
  std::vector<std::string> recipients;  ///< user JIDs (PN or LID) or bare phone numbers
  double rate = 100;                    ///< messages per second, in total or (perPhone) per sender
  bool perPhone = false;
  std::size_t count = 0;  ///< messages in all; 0 sends until stopLoad
  std::string text = "load";
};

struct LoadStatus {
  std::uint64_t id = 0;
  std::size_t sent = 0;    ///< handed to the phones (encrypted and relayed on their strands)
  std::size_t failed = 0;  ///< refused at once (no such account or recipient)
  bool done = false;       ///< count reached or stopped
  double seconds = 0;      ///< since the start, until done
};

class Simulator {
 public:
  /// Listens and starts accepting; the root key is ready when this returns.
  static sdk::Result<std::unique_ptr<Simulator>> start(boost::asio::any_io_executor executor,
                                                       SimulatorOptions options = {});
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  /// Stops accepting, closes every connection and writes the snapshot (if any). Idempotent.
  void stop();

  std::uint16_t port() const;
  /// ws://127.0.0.1:PORT/ws/chat
  std::string webSocketUrl() const;
  /// The Noise root public key a client must trust (serial 0).
  whatsapp::Key32 rootPublicKey() const;
  /// "127.0.0.1:PORT" of the HTTPS media endpoint (empty when media is off).
  std::string mediaHost() const;
  /// The PEM of the CA that signed the media endpoint's certificate (empty when media is off).
  std::string mediaCaPem() const;

  /// Creates an account (phone number digits, 6..15 of them) with a fresh LID and primary phone.
  sdk::Result<AccountInfo> createAccount(std::string_view phone, std::string_view pushName = {});
  sdk::Result<AccountInfo> account(std::string_view phone) const;
  std::vector<AccountInfo> accounts() const;
  /// Companion devices of an account (device 0, the simulated phone, is not listed).
  sdk::Result<std::vector<DeviceInfo>> devices(std::string_view phone) const;
  /// Links a companion directly (see DirectLink); it can log in at once.
  sdk::Result<DeviceInfo> linkDevice(std::string_view phone, const DirectLink& link);
  /// Unlinks a companion: its connection gets <stream:error code="401"><conflict type="device_removed"/>.
  sdk::Status unlinkDevice(std::string_view phone, std::uint16_t device);

  /// Registration connections waiting for a QR scan or a pairing code.
  std::vector<PendingPairing> pendingPairings() const;
  /// The phone of `phone` scans a QR code shown by a companion: pair-success goes out; the
  /// Paired event follows once the companion's countersignature checks out.
  sdk::Status scanQr(std::string_view phone, std::string_view qr);
  /// The user types the companion's pairing code on the phone of `phone` (section 5.2 flow).
  /// The companion must have requested a code for this phone number. Runs PBKDF2 on the caller's
  /// thread (tens of milliseconds).
  sdk::Status confirmPairingCode(std::string_view phone, std::string_view code);

  /// What the simulated phone of `phone` received so far (text filled in once decrypted).
  sdk::Result<std::vector<PhoneMessage>> phoneInbox(std::string_view phone) const;
  /// The phone of `phone` sends text to a user JID (PN or LID), end-to-end encrypted to each of
  /// its devices as a real client does. Asynchronous: @return the message id.
  sdk::Result<std::string> phoneSendText(std::string_view phone, std::string_view to, std::string_view text);
  /// Creates a LID-addressed group as `creator` would (w:g2 create) with the given members (phone
  /// numbers; the creator is added first and is its admin). @return the group JID.
  sdk::Result<std::string> createGroup(std::string_view creator, std::string_view subject,
                                       const std::vector<std::string>& members);
  /// `actor` (an admin) adds or removes members (phone numbers) of a group, as its w:g2 add/remove
  /// would: every member device, and those removed, get the `w:gp2` notification.
  sdk::Status changeGroupMembers(std::string_view actor, std::string_view group, std::string_view action,
                                 const std::vector<std::string>& phones);

  /// Starts a load (see LoadSpec); senders and recipients are checked first. @return its id.
  sdk::Result<std::uint64_t> startLoad(LoadSpec spec);
  sdk::Result<LoadStatus> loadStatus(std::uint64_t id) const;
  /// Stops a load early (it stays listed as done).
  sdk::Status stopLoad(std::uint64_t id);

  /// Injects a fault into the live connection of a companion.
  sdk::Status injectFault(std::string_view phone, std::uint16_t device, StreamFault fault);
  /// Delays every frame the server sends to this companion (0 turns it off). Applies to its
  /// current and future connections.
  sdk::Status setSendDelay(std::string_view phone, std::uint16_t device, std::chrono::milliseconds delay);
  /// The next login of this companion gets <failure reason=…/> (e.g. 401, 403, 503).
  sdk::Status failNextLogin(std::string_view phone, std::uint16_t device, int reason);

  /// Called for every SimEvent, on the connection's strand or the calling thread, never under a
  /// lock. Set it before clients connect; replacing it later is allowed.
  void onEvent(std::function<void(const SimEvent&)> handler);

  /// The server behind the API (for the control protocol and HTTP routes in this folder).
  Server& server() { return *server_; }

 private:
  Simulator(std::shared_ptr<Server> server, boost::asio::any_io_executor executor);
  std::shared_ptr<Server> server_;
  std::shared_ptr<LoadRegistry> loads_;
};

}  // namespace switchboard::wasim
