#include "protocol/frame_codec.hpp"

#include <algorithm>

namespace switchboard::whatsapp {
namespace {

constexpr std::size_t kMaxRoutingInfo = 4096;

}  // namespace

sdk::Result<std::span<std::uint8_t>> appendFrameSpace(Bytes& out, std::size_t payloadSize) {
  if (payloadSize > kMaxFrameSize) {
    return protocolError("frame.too_large", "a frame of " + std::to_string(payloadSize) + " bytes exceeds 16 MiB");
  }
  const std::size_t at = out.size();
  out.resize(at + 3 + payloadSize);
  out[at] = static_cast<std::uint8_t>(payloadSize >> 16);
  out[at + 1] = static_cast<std::uint8_t>(payloadSize >> 8);
  out[at + 2] = static_cast<std::uint8_t>(payloadSize);
  return std::span<std::uint8_t>(out).subspan(at + 3, payloadSize);
}

sdk::Status appendFrame(Bytes& out, ByteView payload) {
  auto space = appendFrameSpace(out, payload.size());
  SB_TRY(space);
  std::copy(payload.begin(), payload.end(), space->begin());
  return sdk::okStatus();
}

sdk::Result<Bytes> firstClientMessage(const ConnectionHeader& header, ByteView payload) {
  Bytes out(header.begin(), header.end());
  SB_TRY(appendFrame(out, payload));
  return out;
}

FrameReader::FrameReader(Side side, std::size_t maxFrame) : side_(side), maxFrame_(std::min(maxFrame, kMaxFrameSize)) {}

sdk::Status FrameReader::feed(ByteView data) {
  if (failed_) {
    return protocolError("frame.failed", "the frame stream already failed");
  }
  // Drop what has been handed out before growing, so the buffer holds at most one partial frame
  // plus what this call adds.
  if (consumed_ > 0) {
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_));
    consumed_ = 0;
  }
  append(buffer_, data);
  if (side_ == Side::Server && !header_) {
    auto st = parseIntro();
    if (!st) {
      failed_ = true;
      return st;
    }
  }
  // Check the length of the frame at the front now, so an oversized one fails before buffering.
  if (header_ || side_ == Side::Client) {
    if (buffered() >= 3) {
      std::size_t len = (std::size_t{buffer_[consumed_]} << 16) | (std::size_t{buffer_[consumed_ + 1]} << 8) |
                        buffer_[consumed_ + 2];
      if (len > maxFrame_) {
        failed_ = true;
        return protocolError("frame.too_large", "a frame announces " + std::to_string(len) + " bytes, more than " +
                                                    std::to_string(maxFrame_));
      }
    }
  }
  return sdk::okStatus();
}

sdk::Status FrameReader::parseIntro() {
  ByteView b(buffer_);
  std::size_t at = 0;
  if (b.size() >= 1 && b[0] == 'E') {
    if (b.size() < 7) {
      return sdk::okStatus();  // wait for more
    }
    if (b[1] != 'D' || b[2] != 0 || b[3] != 1) {
      return protocolError("frame.bad_intro", "the edge-routing prefix is malformed");
    }
    std::size_t len = (std::size_t{b[4]} << 16) | (std::size_t{b[5]} << 8) | b[6];
    if (len > kMaxRoutingInfo) {
      return protocolError("frame.bad_intro", "edge-routing info of " + std::to_string(len) + " bytes");
    }
    if (b.size() < 7 + len) {
      return sdk::okStatus();
    }
    at = 7 + len;
  }
  // Check what has arrived of the header as soon as it arrives, not only when all 4 bytes are here.
  static constexpr std::uint8_t kMagic[3] = {'W', 'A', 6};
  for (std::size_t i = 0; i < 3 && at + i < b.size(); ++i) {
    if (b[at + i] != kMagic[i]) {
      return protocolError("frame.bad_intro", "the stream does not start with the WhatsApp connection header");
    }
  }
  if (b.size() < at + 4) {
    return sdk::okStatus();
  }
  routingInfo_.assign(b.begin() + (at > 0 ? 7 : 0), b.begin() + static_cast<std::ptrdiff_t>(at));
  header_ = ConnectionHeader{b[at], b[at + 1], b[at + 2], b[at + 3]};
  consumed_ = at + 4;
  return sdk::okStatus();
}

std::optional<Bytes> FrameReader::next() {
  if (failed_ || (side_ == Side::Server && !header_) || buffered() < 3) {
    return std::nullopt;
  }
  std::size_t len =
      (std::size_t{buffer_[consumed_]} << 16) | (std::size_t{buffer_[consumed_ + 1]} << 8) | buffer_[consumed_ + 2];
  if (len > maxFrame_) {
    failed_ = true;
    return std::nullopt;
  }
  if (buffered() < 3 + len) {
    return std::nullopt;
  }
  auto start = buffer_.begin() + static_cast<std::ptrdiff_t>(consumed_ + 3);
  Bytes frame(start, start + static_cast<std::ptrdiff_t>(len));
  consumed_ += 3 + len;
  return frame;
}

}  // namespace switchboard::whatsapp
