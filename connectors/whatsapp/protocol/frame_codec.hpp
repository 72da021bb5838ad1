#pragma once

#include <cstddef>
#include <optional>
#include <span>

#include "protocol/bytes.hpp"
#include "protocol/noise_handshake.hpp"

namespace switchboard::whatsapp {

inline constexpr std::size_t kMaxFrameSize = (1u << 24) - 1;

/// Appends a frame: 3-byte big-endian length, then the payload.
sdk::Status appendFrame(Bytes& out, ByteView payload);
/// Appends the header of a frame of `payloadSize` bytes and room for its payload, returned for
/// the caller to fill at once (it lives until `out` next grows): a payload sealed in place.
sdk::Result<std::span<std::uint8_t>> appendFrameSpace(Bytes& out, std::size_t payloadSize);
/// A client's first WebSocket message: the connection header, then the first frame.
sdk::Result<Bytes> firstClientMessage(const ConnectionHeader& header, ByteView payload);

/// Splits a byte stream (WebSocket messages, in order) into frames. Frames may span messages and
/// one message may hold several. On the server side the stream starts with the connection
/// header, optionally preceded by an edge-routing block ("ED" 0 1, 3-byte length, data).
class FrameReader {
 public:
  enum class Side { Client, Server };

  /// @param maxFrame frames announced longer than this are an error (never buffered)
  explicit FrameReader(Side side, std::size_t maxFrame = kMaxFrameSize);

  /// Adds received bytes. After an error the reader stays failed.
  sdk::Status feed(ByteView data);
  /// @return the next complete frame, if one is buffered.
  std::optional<Bytes> next();

  /// The connection header the client sent (server side, once parsed).
  const std::optional<ConnectionHeader>& header() const { return header_; }
  const Bytes& routingInfo() const { return routingInfo_; }
  std::size_t buffered() const { return buffer_.size() - consumed_; }
  /// True once the stream broke (bad header, oversized frame): close the connection.
  bool failed() const { return failed_; }

 private:
  sdk::Status parseIntro();

  Side side_;
  std::size_t maxFrame_;
  Bytes buffer_;
  std::size_t consumed_ = 0;
  std::optional<ConnectionHeader> header_;
  Bytes routingInfo_;
  bool failed_ = false;
};

}  // namespace switchboard::whatsapp
