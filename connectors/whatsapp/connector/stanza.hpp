#pragma once

// Small builders and readers for the stanzas the connector exchanges.

#include <string>
#include <string_view>

#include "protocol/binary_node.hpp"

namespace switchboard::whatsapp::connector {

/// The server's address as both reference clients write it (JID_PAIR with an empty user).
inline constexpr const char* kServerJid = "@s.whatsapp.net";

/// `<iq to="@s.whatsapp.net" type="result" id=…/>`
Node iqResult(std::string_view id);
/// `<iq id to="@s.whatsapp.net" type xmlns>{children}</iq>`
Node iq(std::string id, std::string type, std::string xmlns, Node::Children children = {});

std::string attrOr(const Node& n, std::string_view key, std::string fallback = {});
/// The children of n, or an empty list.
const Node::Children& childrenOf(const Node& n);
/// The bytes content of a child, or nullptr.
const Bytes* childBytes(const Node& n, std::string_view tag);

/// Big-endian unsigned integer of 1..4 bytes.
Bytes uintBytes(std::uint32_t value, int width);
/// Reads a big-endian unsigned integer of exactly `width` bytes; nothing on a length mismatch.
std::optional<std::uint32_t> readUint(const Bytes* bytes, std::size_t width);

}  // namespace switchboard::whatsapp::connector
