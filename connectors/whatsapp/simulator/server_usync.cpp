// xmlns="usync": device lists, LIDs, "is this number on WhatsApp", status and disappearing mode,
// per user, for the protocols the query names (protocol notes 6.6).
#include "simulator/server.hpp"

namespace switchboard::wasim {
namespace {

constexpr std::size_t kMaxUsyncUsers = 2048;

/// The user's text content, whether it arrived as a string or as bytes.
std::string textOf(const Node* node) {
  if (!node) {
    return {};
  }
  if (const auto* t = node->text()) {
    return *t;
  }
  if (const auto* b = node->bytes()) {
    return std::string(whatsapp::asChars(*b));
  }
  return {};
}

}  // namespace

void Server::onUsyncIq(Connection& conn, const Node& iq) {
  const Node* usync = iq.child("usync");
  const Node* query = usync ? usync->child("query") : nullptr;
  const Node* list = usync ? usync->child("list") : nullptr;
  if (!query || !list || !query->children() || !list->children()) {
    conn.send(iqError(iq, 400, "bad-request"));
    return;
  }
  auto users = childrenNamed(*list, "user");
  if (users.size() > kMaxUsyncUsers) {
    conn.send(iqError(iq, 400, "too many users"));
    return;
  }
  Node::Children results;
  for (const Node* user : users) {
    std::string jidText = attrOr(*user, "jid");
    std::optional<Address> address;
    std::string contact = textOf(user->child("contact"));
    if (jidText.empty() && !contact.empty()) {
      // "Is +15551230001 on WhatsApp?": the answer names the user by its JID.
      std::string digits;
      for (char c : contact) {
        if (c >= '0' && c <= '9') {
          digits += c;
        }
      }
      jidText = digits + "@s.whatsapp.net";
    }
    if (jidText.size() > 64) {
      continue;
    }
    auto jid = Jid::parse(jidText);
    if (jid) {
      jid->device = 0;
      address = world_.resolve(*jid);
    }
    Account* account = address ? address->account : nullptr;
    Node::Children out;
    for (const auto& protocol : *query->children()) {
      if (protocol.tag == "devices") {
        Node::Children devices;
        if (account) {
          devices.push_back(Node("device", {{"id", "0"}}));
          for (const auto& [id, d] : account->devices) {
            devices.push_back(Node("device", {{"id", std::to_string(id)}, {"key-index", std::to_string(d.keyIndex)}}));
          }
        }
        out.push_back(parentNode("devices", {}, {parentNode("device-list", {}, std::move(devices))}));
      } else if (protocol.tag == "lid") {
        // Only a phone-number user has a LID to tell; asked about a LID, the answer is empty.
        if (account && !address->lid) {
          out.push_back(Node("lid", {{"val", account->lidJid().toString()}}));
        } else {
          out.push_back(Node("lid"));
        }
      } else if (protocol.tag == "contact") {
        Node c("contact", {{"type", account ? "in" : "out"}});
        if (!contact.empty()) {
          c.content = contact;
        }
        out.push_back(std::move(c));
      } else if (protocol.tag == "status" && account) {
        out.push_back(Node("status", {{"t", std::to_string(account->createdAt)}}, std::string("Hey there! I am using WhatsApp.")));
      } else if (protocol.tag == "disappearing_mode" && account) {
        out.push_back(Node("disappearing_mode", {{"duration", "0"}, {"t", "0"}}));
      }
    }
    results.push_back(parentNode("user", {{"jid", jidText}}, std::move(out)));
  }
  Node reply("usync", usync->attrs, Node::Children{parentNode("list", {}, std::move(results))});
  conn.send(iqResult(iq, {std::move(reply)}));
}

}  // namespace switchboard::wasim
