#pragma once

// A companion device built on the protocol library, for the simulator's tests and load
// benchmarks: WebSocket, Noise handshake trusting the simulator's root, a login or registration
// ClientPayload, then stanzas both ways. It does no Signal crypto: <enc> payloads are whatever the
// caller puts in them. By default it behaves like a well-mannered client: answers nothing the
// server did not ask, acknowledges received messages with a delivery receipt and receipts and
// notifications with an <ack>, and answers pair-device.

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>

#include "protocol/binary_node.hpp"
#include "protocol/cert_chain.hpp"
#include "protocol/noise_socket.hpp"
#include "simulator/simulator.hpp"

namespace switchboard::wasim {

/// The long-lived keys of a companion.
struct CompanionKeys {
  whatsapp::KeyPair noise;
  whatsapp::KeyPair identity;
  std::uint32_t registrationId = 0;
  std::uint32_t signedPreKeyId = 1;
  whatsapp::KeyPair signedPreKey;
  whatsapp::Signature signedPreKeySignature{};

  static CompanionKeys generate();
  /// What Simulator::linkDevice needs to link these keys without pairing.
  DirectLink directLink() const;
};

class DeviceClient : public std::enable_shared_from_this<DeviceClient> {
 public:
  struct Options {
    std::string url;  ///< ws://127.0.0.1:PORT/ws/chat
    whatsapp::TrustedRoot root;
    CompanionKeys keys;
    /// Log in as (phone, device); an empty phone registers instead (a pairing connection).
    std::string phone;
    std::uint16_t device = 0;
    std::string pushName;
    int dictionary = 3;  ///< the token dictionary announced in the connection header (2 or 3)
    bool autoAck = true;
    /// Every decoded stanza from the server, on the connection's strand.
    std::function<void(const whatsapp::Node&)> onNode;
    std::function<void(sdk::Status)> onClose;
  };

  /// Connects and runs the handshake; onReady gets the client (or why not) on its strand.
  static void connect(boost::asio::any_io_executor executor, Options options,
                      std::function<void(sdk::Result<std::shared_ptr<DeviceClient>>)> onReady);

  /// Sends one stanza (any thread).
  void send(const whatsapp::Node& node);
  /// Sends raw frame plaintext (flags byte + encoded node), for hostile-input tests.
  void sendRaw(whatsapp::Bytes payload);
  void close();
  void abort();
  const whatsapp::TokenDictionary& dictionary() const { return *dict_; }

  /// The serialized ClientPayload a login or registration with these options sends.
  static whatsapp::Bytes clientPayload(const Options& options);

  explicit DeviceClient(Options options);

 private:
  void onFrame(const whatsapp::Bytes& frame);
  void autoAnswer(const whatsapp::Node& node);

  Options options_;
  const whatsapp::TokenDictionary* dict_;
  std::shared_ptr<whatsapp::NoiseSocket> socket_;
};

}  // namespace switchboard::wasim
