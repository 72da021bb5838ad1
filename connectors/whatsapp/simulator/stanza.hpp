#pragma once

// Small helpers for reading and building stanzas. Everything that reads takes hostile input:
// lookups return nothing or nullptr instead of throwing, numbers are parsed without exceptions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "protocol/binary_node.hpp"
#include "protocol/jid.hpp"

namespace switchboard::wasim {

namespace wa = switchboard::whatsapp;
namespace asio = boost::asio;
using wa::Bytes;
using wa::ByteView;
using wa::Jid;
using wa::Node;

/// The server's own address (a JID pair with an empty user), the `from` of server stanzas.
inline constexpr std::string_view kServerJid = "@s.whatsapp.net";
/// Longest stanza id we accept from a client (real ones are 22 characters; Messenger ids ~20).
inline constexpr std::size_t kMaxIdLength = 128;

std::optional<std::uint64_t> parseUnsigned(std::string_view text);
std::string attrOr(const Node& node, std::string_view key, std::string_view fallback = {});

/// Big-endian integers of a fixed width, as stanzas carry registration and key ids.
Bytes bigEndian(std::uint64_t value, std::size_t width);
std::optional<std::uint32_t> readBigEndian(ByteView bytes, std::size_t width);

/// The bytes content of the first child with this tag, or nullptr (also when it holds a string).
const Bytes* childBytes(const Node& node, std::string_view tag);
/// All children with this tag.
std::vector<const Node*> childrenNamed(const Node& node, std::string_view tag);
/// Bytes content of exactly `size` bytes, or nothing.
std::optional<Bytes> fixedBytes(const Node* node, std::size_t size);

Node bytesNode(std::string tag, Bytes content, std::vector<Node::Attribute> attrs = {});
Node parentNode(std::string tag, std::vector<Node::Attribute> attrs, Node::Children children);

/// `<iq type="result" id=… from=…>` answering iq; from is the iq's `to` (the server by default).
Node iqResult(const Node& iq, Node::Children children = {});
/// `<iq type="error" id=… from=…><error code text/></iq>`.
Node iqError(const Node& iq, int code, std::string_view text);

/// Unix seconds now, as text for `t` attributes.
std::uint64_t unixNow();
std::string unixNowText();

/// A stanza id for server-originated stanzas, unique within the process.
std::string nextStanzaId();
/// A message id in the clients' format: "3EB0" and 18 upper-case hex digits.
std::string newMessageId();

}  // namespace switchboard::wasim
