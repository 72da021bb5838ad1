#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/binary_node.hpp"
#include "signal/bundle.hpp"

namespace switchboard::whatsapp {

// Binary-node forms of prekeys (wa-protocol.md 6.3, 6.7, 7.7). All contents are raw bytes:
// registration 4 bytes BE, type 1 byte 0x05, keys 32 bytes, ids 3 bytes BE, signatures 64 bytes.
// Parsers take hostile input: every length is checked (whatsmeow's lengths), errors are values.

Node registrationNode(std::uint32_t registrationId);
Node keyTypeNode();
Node identityNode(const Key32& identity);
/// `<key><id/><value/></key>`
Node preKeyNode(const PreKeyPublic& preKey);
/// `<skey><id/><value/><signature/></skey>`
Node signedPreKeyNode(const SignedPreKeyPublic& signedPreKey);

// --- client side -------------------------------------------------------------------------------

/// The children of the upload `<iq xmlns="encrypt" type="set">`, in order: registration, type,
/// identity, list of keys, skey.
std::vector<Node> preKeyUploadNodes(const PreKeyUpload& upload);

/// Parses one `<user>` of a prekey fetch reply, its keys either directly inside or wrapped in
/// `<keys>`; also a retry receipt (registration beside `<keys>`). A `<user>` holding `<error>`
/// fails with that error's code and text.
sdk::Result<PreKeyBundle> parsePreKeyBundle(const Node& node);

/// One device of a fetch reply: the `jid` attribute as sent, and its bundle or why not.
struct FetchedBundle {
  std::string jid;
  sdk::Result<PreKeyBundle> bundle;
};
/// Parses every `<user>` of a fetch reply: the `<iq>` or its `<list>`.
sdk::Result<std::vector<FetchedBundle>> parsePreKeyBundles(const Node& reply);

/// `<keys><type/><identity/><key/>?<skey/><device-identity/>?</keys>` for a retry receipt; the
/// `<registration>` goes beside it (registrationNode).
Node retryKeysNode(const PreKeyBundle& bundle, const std::optional<Bytes>& deviceIdentity);

// --- server side -------------------------------------------------------------------------------

/// Parses the upload iq (or any node whose children are the upload's).
sdk::Result<PreKeyUpload> parsePreKeyUpload(const Node& iq);

/// `<user jid><registration/><type/><identity/><skey/><key/>?<device-identity/>?</user>` for a
/// fetch reply.
Node preKeyBundleNode(const std::string& jid, const PreKeyBundle& bundle,
                      const std::optional<Bytes>& deviceIdentity = std::nullopt);

}  // namespace switchboard::whatsapp
