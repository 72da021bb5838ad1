#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "protocol/bytes.hpp"
#include "protocol/token_dictionary.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp {

/// A stanza: tag, ordered attributes and content (nothing, bytes, a string, or child nodes).
/// Content that arrives as BINARY_n is bytes; tokens, packed digits and JIDs arrive as a string,
/// exactly as the reference clients decode it.
struct Node {
  using Attribute = std::pair<std::string, std::string>;
  using Children = std::vector<Node>;
  using Content = std::variant<std::monostate, Bytes, std::string, Children>;

  std::string tag;
  std::vector<Attribute> attrs;
  Content content;

  Node() = default;
  explicit Node(std::string t, std::vector<Attribute> a = {}, Content c = {})
      : tag(std::move(t)), attrs(std::move(a)), content(std::move(c)) {}

  /// @return the value of the first attribute named key, or nothing.
  std::optional<std::string_view> attr(std::string_view key) const;
  void setAttr(std::string key, std::string value);

  bool hasChildren() const { return std::holds_alternative<Children>(content); }
  const Children* children() const { return std::get_if<Children>(&content); }
  const Bytes* bytes() const { return std::get_if<Bytes>(&content); }
  const std::string* text() const { return std::get_if<std::string>(&content); }
  /// @return the first child with this tag, or nullptr.
  const Node* child(std::string_view tag) const;

  /// XML-like rendering for logs and test failures (bytes as hex).
  std::string toString() const;

  bool operator==(const Node&) const = default;
};

/// Bounds that make decoding hostile input cheap: depth is the only thing that is not already
/// bounded by the input length, and inflating a compressed frame needs an output limit.
struct DecodeLimits {
  std::size_t maxDepth = 64;
  std::size_t maxInflatedSize = 32u << 20;
  /// Nodes plus attributes in one frame. A node costs ~100 bytes of memory for 3 bytes of input,
  /// so without this a 16 MiB frame could make the decoder allocate half a gigabyte.
  std::size_t maxElements = 500'000;
};

/// Appends the encoding of node (no frame flags byte) to out. Fails only when a list is longer
/// than the format can express (65,535 entries) or a string or blob is 4 GiB or more.
sdk::Status encodeNode(const Node& node, const TokenDictionary& dict, Bytes& out);
sdk::Result<Bytes> encodeNode(const Node& node, const TokenDictionary& dict);
/// The plaintext of a transport frame: the flags byte (0, uncompressed) then the node.
sdk::Result<Bytes> encodeFramePayload(const Node& node, const TokenDictionary& dict);

/// Decodes exactly one node that must span all of data.
sdk::Result<Node> decodeNode(ByteView data, const TokenDictionary& dict, const DecodeLimits& limits = {});
/// Decodes a transport frame's plaintext: flags byte, then the node, zlib-deflated when flag 0x02 is set.
sdk::Result<Node> decodeFramePayload(ByteView data, const TokenDictionary& dict, const DecodeLimits& limits = {});

/// Wire tag bytes (shared by both dictionary versions).
namespace tags {
inline constexpr std::uint8_t kListEmpty = 0;
inline constexpr std::uint8_t kDictionary0 = 236;
inline constexpr std::uint8_t kDictionary3 = 239;
inline constexpr std::uint8_t kInteropJid = 245;
inline constexpr std::uint8_t kFbJid = 246;
inline constexpr std::uint8_t kAdJid = 247;
inline constexpr std::uint8_t kList8 = 248;
inline constexpr std::uint8_t kList16 = 249;
inline constexpr std::uint8_t kJidPair = 250;
inline constexpr std::uint8_t kHex8 = 251;
inline constexpr std::uint8_t kBinary8 = 252;
inline constexpr std::uint8_t kBinary20 = 253;
inline constexpr std::uint8_t kBinary32 = 254;
inline constexpr std::uint8_t kNibble8 = 255;
inline constexpr std::size_t kPackedMax = 127;
}  // namespace tags

}  // namespace switchboard::whatsapp
