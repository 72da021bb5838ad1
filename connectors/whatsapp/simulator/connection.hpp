#pragma once

// One client connection as the server sees it: the Noise socket, the token dictionary the client
// announced, an ordered send queue (with an optional injected delay) and the protocol state the
// Server keeps for it. Transport members are used on the connection's strand only; `session` is
// guarded by the Server's mutex.

#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protocol/noise_socket.hpp"
#include "simulator/adv.hpp"
#include "simulator/client_payload.hpp"
#include "simulator/stanza.hpp"

namespace switchboard::wasim {

/// Protocol state of a connection (guarded by Server's mutex).
struct Session {
  enum class Phase : std::uint8_t { Handshake, Registering, LoggedIn, Closed };
  Phase phase = Phase::Handshake;
  whatsapp::Key32 noiseKey{};

  // Registration: the companion's keys, the refs it was given, and a pairing in progress.
  std::optional<RegistrationPayload> registration;
  std::vector<std::string> refs;
  std::chrono::steady_clock::time_point refsSentAt{};
  std::string pairDeviceIqId;
  struct PairingInFlight {
    std::string phone;
    std::string iqId;
    std::uint16_t device = 0;
    AdvGrant grant;
  };
  std::optional<PairingInFlight> pairing;
  struct LinkCode {
    std::string phone;
    std::string ref;
    whatsapp::Bytes wrappedCompanionEphemeral;
    whatsapp::Key32 companionEphemeral{};  ///< once the phone unwrapped it with the typed code
    std::optional<whatsapp::KeyPair> primaryEphemeral;
  };
  std::optional<LinkCode> linkCode;

  // Login.
  std::string phone;
  std::uint16_t device = 0;
  bool flushed = false;  ///< offline queue delivered, <ib><offline/> sent
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::uint64_t id, asio::any_io_executor strand);

  std::uint64_t id() const { return id_; }
  const asio::any_io_executor& executor() const { return strand_; }

  /// Called once, on the strand, when the handshake completed.
  void attach(std::shared_ptr<whatsapp::NoiseSocket> socket, const whatsapp::TokenDictionary* dict);
  const whatsapp::TokenDictionary& dict() const { return *dict_; }

  /// Encodes and queues a stanza (any thread). Stanzas go out in the order they were queued;
  /// `hold` keeps this one (and so everything after it) back that much longer.
  void send(const Node& node, std::chrono::milliseconds hold = std::chrono::milliseconds(0));
  /// Queues a stanza, then a clean close once everything before it is written.
  void sendAndClose(const Node& node, std::chrono::milliseconds hold = std::chrono::milliseconds(0));
  /// Instead of a socket, hands every encoded frame (flags byte + node) to `sink` on the strand
  /// (tests and the fuzz target drive the dispatcher this way).
  void attachSink(std::function<void(const Bytes&)> sink);
  /// Drops the TCP connection at once.
  void abort();
  /// Delays every later frame by this much.
  void setDelay(std::chrono::milliseconds delay);

  Session session;  // guarded by Server::mutex_

 private:
  struct Outgoing {
    std::chrono::steady_clock::time_point due;
    Bytes frame;
    bool closeAfter = false;
  };
  void enqueue(Bytes frame, bool closeAfter, std::chrono::milliseconds hold);
  /// Moves what enqueue() collected to the send queue (strand), then pumps.
  void drain();
  void pump();

  std::uint64_t id_;
  asio::any_io_executor strand_;
  const whatsapp::TokenDictionary* dict_ = &whatsapp::TokenDictionary::v3();
  // Weak: the socket owns this connection through its handlers while it is open; a strong
  // reference back would keep both alive forever if the io_context went away mid-connection.
  std::weak_ptr<whatsapp::NoiseSocket> socket_;  // strand only
  std::function<void(const Bytes&)> sink_;         // strand only
  std::deque<Outgoing> queue_;                     // strand only
  asio::steady_timer timer_;                       // strand only
  bool timerArmed_ = false;
  bool closed_ = false;
  std::atomic<std::int64_t> delayMs_{0};
  // Frames queued from any thread, waiting for the strand: one post carries all that arrive
  // before it runs (a relay burst queues many stanzas to the same device).
  std::mutex inboxMutex_;
  std::vector<Outgoing> inbox_;
  bool drainPosted_ = false;
};

}  // namespace switchboard::wasim
