#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "protocol/frame_codec.hpp"
#include "protocol/noise_handshake.hpp"
#include "protocol/websocket_transport.hpp"

namespace switchboard::whatsapp {

/// An encrypted WhatsApp connection over a WebSocket: frames, the Noise handshake, then transport
/// frames in both directions. Client and server sides share it. Every callback runs on the
/// WebSocket's strand; send() and close() may be called from any thread.
class NoiseSocket : public std::enable_shared_from_this<NoiseSocket> {
 public:
  struct Handlers {
    /// A decrypted transport frame: the flags byte and the node (see decodeFramePayload).
    std::function<void(Bytes)> onFrame;
    /// Once, when a connection that became ready ends (ok for a clean close). A failed handshake
    /// is reported to onReady instead.
    std::function<void(sdk::Status)> onClose;
  };

  struct ClientConfig {
    KeyPair staticKey;
    TrustedRoot root;
    Bytes clientPayload;  ///< serialized ClientPayload
    ConnectionHeader header = kConnectionHeaderV3;
    std::function<std::uint64_t()> clock;  ///< unix seconds; system clock when empty
  };
  /// Runs the client handshake on ws. onReady gets the socket (or why the handshake failed);
  /// frames after it go to handlers.
  static void startClient(WsConnectionPtr ws, ClientConfig config, Handlers handlers,
                          std::function<void(sdk::Result<std::shared_ptr<NoiseSocket>>)> onReady);

  struct ServerConfig {
    KeyPair staticKey;
    Bytes certChain;  ///< serialized CertChain whose leaf is staticKey.pub
    std::size_t maxFrame = kMaxFrameSize;
  };
  struct Accepted {
    std::shared_ptr<NoiseSocket> socket;
    Key32 clientStatic;
    Bytes clientPayload;  ///< serialized ClientPayload, for the caller to authenticate
    ConnectionHeader header;  ///< its last byte is the client's token dictionary version
  };
  static void startServer(WsConnectionPtr ws, ServerConfig config, Handlers handlers,
                          std::function<void(sdk::Result<Accepted>)> onReady);

  /// Encrypts and sends one frame payload (flags byte + node). Frames sent before the strand
  /// gets to them go out together: sealed into one buffer, one WebSocket message, one write
  /// (the receiving side reads any number of length-prefixed frames from a message).
  void send(Bytes plaintext);
  void close();
  void abort();

  NoiseSocket(WsConnectionPtr ws, FrameReader::Side side, std::size_t maxFrame, Handlers handlers);

 private:
  void onMessage(Bytes message);
  void onFrame(Bytes frame);
  void fail(sdk::Error error);
  void closed(sdk::Status status);
  void sendRaw(const Bytes& payload, bool withHeader);
  void flush();

  // Weak: the connection owns this socket through its handlers (and keeps itself alive while its
  // read is pending), so there is no cycle to leak when an io_context is torn down mid-connection.
  std::weak_ptr<WsConnection> ws_;
  asio::any_io_executor executor_;
  FrameReader reader_;
  Handlers handlers_;
  std::function<void(Bytes)> handshakeStep_;  // consumes frames until the transport is ready
  std::function<void(sdk::Error)> readyFailure_;  // tells onReady when the handshake fails
  std::optional<NoiseTransport> transport_;
  std::optional<ConnectionHeader> sendHeader_;  // the client prefixes its first message once
  bool finished_ = false;

  // Frames given to send() and not yet sealed; any thread adds, the strand takes them all.
  std::mutex outboxMutex_;
  std::vector<Bytes> outbox_;
  bool flushPosted_ = false;
};

}  // namespace switchboard::whatsapp
