#pragma once

// Phone numbers in E.164 without the '+', the one form contacts are stored and matched in.

#include <optional>
#include <string>

namespace switchboard::host::storage {

/// "+1 (555) 123-4567", "0015551234567", "15551234567@s.whatsapp.net", "15551234567:3@s.whatsapp.net"
/// -> "15551234567". nullopt when the result is not 7..15 digits or starts with 0 (a national
/// number whose country we cannot know).
std::optional<std::string> normalizePhone(const std::string& input);

/// The phone number of a phone-based WhatsApp JID; nullopt for LIDs, groups and other servers.
std::optional<std::string> phoneFromJid(const std::string& jid);

}  // namespace switchboard::host::storage
