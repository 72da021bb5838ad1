#pragma once

// Ids derived from what they identify, so every daemon (and a restart) computes the same one
// without a lookup: a conversation is tenant + account + peer, an inbound message is
// tenant + account + network id.

#include <string>

namespace switchboard::host::storage {

/// "<prefix>" + 32 hex chars of BLAKE2b over the parts (separated so "a","bc" != "ab","c").
std::string stableId(const std::string& prefix, std::initializer_list<std::string_view> parts);

std::string conversationIdFor(const std::string& tenant, const std::string& account, const std::string& peer);
std::string inboundMessageIdFor(const std::string& tenant, const std::string& account, const std::string& networkId);
std::string contactIdFor(const std::string& tenant, const std::string& identity);

/// 8-byte digest of a ciphertext hash for the index that finds redeliveries; 0 for none.
long long cipherKey(const std::string& ciphertextHash);
/// 8-byte digest of a conversation id for the message history index.
long long conversationKey(const std::string& conversationId);

}  // namespace switchboard::host::storage
