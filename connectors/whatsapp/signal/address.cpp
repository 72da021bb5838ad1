#include "signal/address.hpp"

#include "protocol/bytes.hpp"

namespace switchboard::whatsapp {

SignalAddress SignalAddress::fromJid(const Jid& jid) {
  SignalAddress out;
  out.name = jid.user;
  // Jid::domainType() gives the AD domain byte: 1 for lid, 128/129 for hosted, otherwise the
  // `_agent` of the text (0 for plain phone-number JIDs), exactly the suffix the clients append.
  std::uint8_t domain = jid.domainType();
  if (domain != 0) {
    out.name += '_';
    out.name += std::to_string(domain);
  }
  out.device = jid.device;
  return out;
}

sdk::Result<SignalAddress> SignalAddress::fromJid(std::string_view jidText) {
  auto jid = Jid::parse(jidText);
  if (!jid || jid->user.empty()) {
    return protocolError("signal_address.bad_jid", "not a user device JID: \"" + std::string(jidText) + "\"");
  }
  return fromJid(*jid);
}

std::string SignalAddress::toString() const { return name + "." + std::to_string(device); }

std::string SenderKeyName::toString() const { return groupId + "::" + sender.toString(); }

}  // namespace switchboard::whatsapp
