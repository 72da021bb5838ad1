#include "connector/device_list.hpp"

#include <algorithm>
#include <cctype>

#include "connector/stanza.hpp"
#include "protocol/crypto.hpp"

namespace switchboard::whatsapp::connector {

Node usyncDevicesQuery(const std::string& sid, const std::vector<std::string>& users) {
  Node::Children list;
  for (const auto& u : users) {
    list.push_back(Node("user", {{"jid", u}}));
  }
  Node usync("usync", {{"sid", sid}, {"mode", "query"}, {"last", "true"}, {"index", "0"}, {"context", "message"}},
             Node::Children{Node("query", {}, Node::Children{Node("devices", {{"version", "2"}}), Node("lid")}),
                            Node("list", {}, std::move(list))});
  return iq("", "get", "usync", Node::Children{std::move(usync)});
}

sdk::Result<std::vector<UserDevices>> parseUsyncDevices(const Node& reply) {
  const Node* usync = reply.child("usync");
  const Node* list = usync ? usync->child("list") : nullptr;
  if (list == nullptr) {
    return sdk::Error::permanent("whatsapp.usync.malformed", "usync reply without <list>");
  }
  std::vector<UserDevices> out;
  for (const auto& user : childrenOf(*list)) {
    if (user.tag != "user") {
      continue;
    }
    UserDevices u;
    u.jid = attrOr(user, "jid");
    if (const Node* lid = user.child("lid")) {
      u.lid = attrOr(*lid, "val");
    }
    const Node* devices = user.child("devices");
    if (devices != nullptr && devices->child("error") != nullptr) {
      const Node* err = devices->child("error");
      return sdk::Error::permanent("whatsapp.usync." + attrOr(*err, "code", "error"),
                                   "device list of " + u.jid + " refused: " + attrOr(*err, "text"));
    }
    const Node* deviceList = devices ? devices->child("device-list") : nullptr;
    if (deviceList != nullptr) {
      for (const auto& d : childrenOf(*deviceList)) {
        if (d.tag != "device") {
          continue;
        }
        const std::string idText = attrOr(d, "id");
        char* end = nullptr;
        const unsigned long id = std::strtoul(idText.c_str(), &end, 10);
        if (idText.empty() || *end != '\0' || id > 0xffff) {
          continue;
        }
        const std::string keyIndex = attrOr(d, "key-index");
        if (id != 0 && (keyIndex.empty() || keyIndex == "0")) {
          continue;
        }
        u.devices.push_back(static_cast<std::uint16_t>(id));
      }
    }
    if (u.devices.size() > 64) {
      u.devices.resize(64);  // WhatsApp links at most a handful; a longer list is hostile
    }
    out.push_back(std::move(u));
  }
  return out;
}

std::string messageIdForCommand(const std::string& account, const std::string& commandId) {
  Bytes input = toBytes(account);
  input.push_back(0);
  append(input, asBytes(commandId));
  std::string hex = toHex(sha256(input)).substr(0, 18);
  std::transform(hex.begin(), hex.end(), hex.begin(), [](unsigned char c) { return std::toupper(c); });
  return "3EB0" + hex;
}

sdk::Result<Jid> recipientJid(const std::string& to) {
  if (to.find('@') != std::string::npos) {
    auto j = Jid::parse(to);
    if (!j || j->user.empty()) {
      return sdk::Error::permanent("whatsapp.bad_recipient", "\"" + to + "\" is not a WhatsApp address");
    }
    return Jid::pair(j->user, j->server);
  }
  std::string digits;
  for (char c : to) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != '+' && c != ' ' && c != '-' && c != '(' && c != ')') {
      return sdk::Error::permanent("whatsapp.bad_recipient", "\"" + to + "\" is not a phone number");
    }
  }
  if (digits.size() < 6 || digits.size() > 15) {
    return sdk::Error::permanent("whatsapp.bad_recipient", "\"" + to + "\" is not a phone number (6 to 15 digits)");
  }
  return Jid::pair(digits);
}

}  // namespace switchboard::whatsapp::connector
