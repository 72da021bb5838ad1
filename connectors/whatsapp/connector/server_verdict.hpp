#pragma once

// What the server's refusals mean for us (wa-protocol.md 10.2): a `<failure>` at login, a
// `<stream:error>` at any time, or `<xmlstreamend/>`. The session acts on the verdict.

#include <string>

#include "protocol/binary_node.hpp"

namespace switchboard::whatsapp::connector {

struct ServerVerdict {
  enum class Action {
    Reconnect,   ///< with backoff
    RestartNow,  ///< 515: reconnect at once with the same (or new) credentials
    LogOut,      ///< the device was removed: forget the credentials, do not reconnect
    Park,        ///< conflict, ban, outdated client: stay disconnected until the operator acts
  };
  Action action = Action::Reconnect;
  std::string code;    ///< "401", "515", "conflict", "xmlstreamend" ...
  std::string reason;  ///< a sentence for the log and the event
  std::string event;   ///< extra event type to report ("" for none): session.conflict, session.banned ...
  std::string expire;  ///< for a temporary ban: when it ends, as the server said
};

ServerVerdict classifyFailure(const Node& failure);
ServerVerdict classifyStreamError(const Node& streamError);

}  // namespace switchboard::whatsapp::connector
