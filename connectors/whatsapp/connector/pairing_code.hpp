#pragma once

// Linking by a code typed on the phone instead of a QR scan (wa-protocol.md 5.2): the code, the
// companion_hello and companion_finish requests, and the ADV secret both sides derive.

#include <optional>
#include <string>

#include "connector/device_credentials.hpp"
#include "protocol/binary_node.hpp"

namespace switchboard::whatsapp::connector {

/// 8 characters of `123456789ABCDEFGHJKLMNPQRSTVWXYZ` (5 random bytes, 5 bits per character).
std::string generatePairingCode();

/// salt(32) || iv(16) || AES-256-CTR(PBKDF2-SHA256(code, salt, 131072), iv, key): how each side
/// hides its ephemeral key under the code.
Bytes wrapWithCode(const std::string& code, const Key32& key);
sdk::Result<Key32> unwrapWithCode(const std::string& code, ByteView wrapped);

/// One code pairing in progress on one registration connection.
class CodePairing {
 public:
  /// @param phone E.164 digits of the account
  CodePairing(std::string phone, std::string code);

  const std::string& code() const { return code_; }
  /// `<iq xmlns="md" type="set"><link_code_companion_reg stage="companion_hello">…`
  Node helloRequest(const std::string& id, const DeviceCredentials& creds, const std::string& deviceName) const;

  /// Handles the phone's `link_code_companion_reg` notification: derives the new ADV secret (into
  /// creds) and returns the companion_finish request to send. Fails on malformed or mismatching input.
  sdk::Result<Node> onPrimaryHello(const Node& notification, const std::string& id, DeviceCredentials& creds);

 private:
  std::string phone_;
  std::string code_;
  KeyPair ephemeral_;
};

}  // namespace switchboard::whatsapp::connector
