#include "connector/server_verdict.hpp"

#include "connector/stanza.hpp"

namespace switchboard::whatsapp::connector {

ServerVerdict classifyFailure(const Node& failure) {
  ServerVerdict v;
  v.code = attrOr(failure, "reason", "unknown");
  if (v.code == "401" || v.code == "403" || v.code == "406") {
    v.action = ServerVerdict::Action::LogOut;
    v.reason = "the server refused our credentials (failure " + v.code + "): the device was unlinked";
    v.event = "session.logged_out";
  } else if (v.code == "402") {
    v.action = ServerVerdict::Action::Park;
    v.expire = attrOr(failure, "expire");
    v.reason = "the account is temporarily banned (failure 402, code " + attrOr(failure, "code", "?") +
               (v.expire.empty() ? "" : ", expires " + v.expire) + ")";
    v.event = "session.banned";
  } else if (v.code == "405") {
    v.action = ServerVerdict::Action::Park;
    v.reason = "the server says this client version is outdated (failure 405)";
    v.event = "session.client_outdated";
  } else {
    v.action = ServerVerdict::Action::Reconnect;
    v.reason = "the server refused the login for now (failure " + v.code + ")";
  }
  return v;
}

ServerVerdict classifyStreamError(const Node& streamError) {
  ServerVerdict v;
  v.code = attrOr(streamError, "code");
  const Node* conflict = streamError.child("conflict");
  if (conflict != nullptr) {
    const std::string type = attrOr(*conflict, "type");
    if (type == "device_removed" || v.code == "401") {
      v.action = ServerVerdict::Action::LogOut;
      v.code = v.code.empty() ? "device_removed" : v.code;
      v.reason = "the device was removed from the account (stream error " + v.code + ")";
      v.event = "session.logged_out";
      return v;
    }
    v.action = ServerVerdict::Action::Park;
    v.code = "conflict";
    v.reason = "another connection replaced this one (conflict" + (type.empty() ? "" : ": " + type) + ")";
    v.event = "session.conflict";
    return v;
  }
  if (v.code == "515") {
    v.action = ServerVerdict::Action::RestartNow;
    v.reason = "the server asked for a restart (stream error 515)";
    return v;
  }
  if (v.code == "401") {
    v.action = ServerVerdict::Action::LogOut;
    v.reason = "the server ended the session as logged out (stream error 401)";
    v.event = "session.logged_out";
    return v;
  }
  v.action = ServerVerdict::Action::Reconnect;
  if (v.code.empty()) {
    v.code = "stream_error";
    for (const auto& c : childrenOf(streamError)) {
      v.code = c.tag;  // e.g. <ack/>, <xml-not-well-formed/>: the child names the error
      break;
    }
  }
  v.reason = "the server ended the stream (" + v.code + ")";
  return v;
}

}  // namespace switchboard::whatsapp::connector
