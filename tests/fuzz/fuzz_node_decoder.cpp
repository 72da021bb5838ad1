// Fuzzes the binary node decoder with both dictionaries and the frame flags (zlib) path.
// Anything that decodes must re-encode, and encode(decode(.)) must reach a fixed point after one
// step (the first step may turn raw-string content into bytes, as the format has no other way).
#include <cstdlib>

#include "protocol/binary_node.hpp"

namespace wa = switchboard::whatsapp;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) {
    return 0;
  }
  // The first byte picks the dictionary and whether the rest is a whole frame payload.
  const auto& dict = (data[0] & 1) ? wa::TokenDictionary::v3() : wa::TokenDictionary::v2();
  wa::ByteView input(data + 1, size - 1);
  wa::DecodeLimits limits;
  limits.maxInflatedSize = 1 << 20;
  auto node = (data[0] & 2) ? wa::decodeFramePayload(input, dict, limits) : wa::decodeNode(input, dict, limits);
  if (!node.ok()) {
    return 0;
  }
  auto again = wa::encodeNode(*node, dict);
  if (!again.ok()) {
    return 0;  // e.g. a decoded list of 65535 children plus attributes cannot be re-encoded
  }
  auto back = wa::decodeNode(*again, dict, limits);
  if (!back.ok()) {
    std::abort();
  }
  auto third = wa::encodeNode(*back, dict);
  if (!third.ok() || *third != *again) {
    std::abort();
  }
  // Attributes and children survive the first step unchanged.
  if (back->tag != node->tag || back->attrs != node->attrs || back->hasChildren() != node->hasChildren()) {
    std::abort();
  }
  return 0;
}
