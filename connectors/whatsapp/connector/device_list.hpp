#pragma once

// Device lists and LIDs from a usync reply (wa-protocol.md 6.6), and the message ids we derive
// from command ids.

#include <map>
#include <string>
#include <vector>

#include "protocol/binary_node.hpp"
#include "protocol/jid.hpp"

namespace switchboard::whatsapp::connector {

struct UserDevices {
  std::string jid;                   ///< the user as asked ("123@s.whatsapp.net")
  std::string lid;                   ///< its LID user JID ("987@lid"), when the server told us
  std::vector<std::uint16_t> devices;
};

/// `<iq xmlns="usync" type="get">` asking for devices and LIDs of users (bare JIDs).
Node usyncDevicesQuery(const std::string& sid, const std::vector<std::string>& users);
/// Parses the reply. Non-zero devices without a key-index are dropped (Baileys' rule: a companion
/// the account never signed is not one of its devices). Fails on a reply without a list.
sdk::Result<std::vector<UserDevices>> parseUsyncDevices(const Node& reply);

/// The message id a command is sent under: "3EB0" + 18 hex digits of SHA-256(account, command id).
/// The same command always gets the same id, so a resend after a crash is deduplicated.
std::string messageIdForCommand(const std::string& account, const std::string& commandId);

/// A recipient given as digits ("+1 555 123"), a bare JID or a device JID, as a bare user JID.
sdk::Result<Jid> recipientJid(const std::string& to);

}  // namespace switchboard::whatsapp::connector
