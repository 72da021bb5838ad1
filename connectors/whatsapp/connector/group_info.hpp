#pragma once

// Group metadata (`w:g2` query, protocol notes 7.9) and group change notifications
// (`<notification type="w:gp2">`) as plain values.

#include <map>
#include <string>
#include <vector>

#include "protocol/binary_node.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp::connector {

struct GroupParticipant {
  std::string jid;    ///< as the group names the member (a LID in LID-addressed groups)
  std::string phone;  ///< the phone-number JID when the group gives it
  std::string lid;    ///< the LID JID when the group gives it
  std::string role;   ///< "", admin, superadmin
};

struct GroupInfo {
  std::string jid;  ///< `<id>@g.us`
  std::string subject, creator, addressingMode;
  std::vector<GroupParticipant> participants;
};

/// `<iq xmlns="w:g2" type="get" to="{group}"><query request="interactive"/></iq>`
Node groupInfoQuery(const std::string& groupJid);
/// Reads the `<group>` of a reply (at most 2048 participants are kept).
sdk::Result<GroupInfo> parseGroupInfo(const Node& reply);

/// One change a `w:gp2` notification announces: add, remove, leave, promote, demote, subject,
/// create, ... (the child's tag), with the members it names and its attributes.
struct GroupChange {
  std::string action;
  std::vector<std::string> participants;
  std::map<std::string, std::string> attributes;  ///< subject, reason, ... of the child
};
/// The changes of a notification (from = the group); unknown children are kept by tag.
std::vector<GroupChange> parseGroupNotification(const Node& notification);

}  // namespace switchboard::whatsapp::connector
