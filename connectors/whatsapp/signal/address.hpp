#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/jid.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp {

/// A Signal protocol address: (name, device), built from a device JID with wa-protocol.md 8.2's
/// rule that both reference clients follow.
struct SignalAddress {
  std::string name;          ///< JID user, with `_<domain>` for non-phone-number domains (`123_1` for a LID)
  std::uint32_t device = 0;  ///< JID device; 0 is the primary (phone)

  /// `user` for phone-number JIDs, `user_1` for LID, `user_128` hosted, `user_129` hosted LID;
  /// the device is the JID's device. Callers should pass the LID form when a PN<->LID mapping is
  /// known: sessions live under the LID address (8.2).
  static SignalAddress fromJid(const Jid& jid);
  /// Parses the JID text first; fails on text that is not a JID.
  static sdk::Result<SignalAddress> fromJid(std::string_view jidText);

  /// `name.device`, the form npm libsignal (Baileys) uses; also our store key.
  std::string toString() const;

  bool operator==(const SignalAddress&) const = default;
  auto operator<=>(const SignalAddress&) const = default;
};

/// Sender-key name: a group and the sender's address in it. The SKDM that arrives from the
/// pairwise sender JID and the skmsg that arrives with the group `participant` must map to the
/// same address (the LID one in LID-addressed groups).
struct SenderKeyName {
  std::string groupId;  ///< the group JID text, e.g. `120363012345678901@g.us`
  SignalAddress sender;

  /// `groupId::name.device`, our store key.
  std::string toString() const;

  bool operator==(const SenderKeyName&) const = default;
};

}  // namespace switchboard::whatsapp
