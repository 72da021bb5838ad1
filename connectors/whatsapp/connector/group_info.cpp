#include "connector/group_info.hpp"

#include "connector/stanza.hpp"

namespace switchboard::whatsapp::connector {

namespace {

constexpr std::size_t kMaxParticipants = 2048;
constexpr std::size_t kMaxChanges = 64;

}  // namespace

Node groupInfoQuery(const std::string& groupJid) {
  Node q = iq("", "get", "w:g2", Node::Children{Node("query", {{"request", "interactive"}})});
  q.setAttr("to", groupJid);
  return q;
}

sdk::Result<GroupInfo> parseGroupInfo(const Node& reply) {
  const Node* g = reply.child("group");
  if (g == nullptr || attrOr(*g, "id").empty()) {
    return sdk::Error::permanent("whatsapp.group.malformed", "group metadata reply without <group id>");
  }
  GroupInfo out;
  out.jid = attrOr(*g, "id");
  if (out.jid.find('@') == std::string::npos) {
    out.jid += "@g.us";
  }
  out.subject = attrOr(*g, "subject");
  out.creator = attrOr(*g, "creator");
  out.addressingMode = attrOr(*g, "addressing_mode", "pn");
  for (const auto& p : childrenOf(*g)) {
    if (p.tag != "participant" || out.participants.size() >= kMaxParticipants) {
      continue;
    }
    GroupParticipant member{attrOr(p, "jid"), attrOr(p, "phone_number"), attrOr(p, "lid"), attrOr(p, "type")};
    if (member.jid.empty()) {
      continue;
    }
    out.participants.push_back(std::move(member));
  }
  return out;
}

std::vector<GroupChange> parseGroupNotification(const Node& notification) {
  std::vector<GroupChange> out;
  for (const auto& child : childrenOf(notification)) {
    if (out.size() >= kMaxChanges) {
      break;
    }
    GroupChange change;
    change.action = child.tag;
    for (const auto& [k, v] : child.attrs) {
      if (change.attributes.size() < 16) {
        change.attributes[k] = v;
      }
    }
    for (const auto& p : childrenOf(child)) {
      if (p.tag == "participant" && change.participants.size() < kMaxParticipants) {
        change.participants.push_back(attrOr(p, "jid"));
      }
    }
    out.push_back(std::move(change));
  }
  return out;
}

}  // namespace switchboard::whatsapp::connector
