#pragma once

#include "protocol/bytes.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp {

/// Appends WhatsApp's random padding (wa-protocol.md 7.8): n bytes of value n, n = random & 0x0F
/// with 0 meaning 15, so n is 1..15 (whatsmeow's rule; Baileys and whatsmeow both accept it).
Bytes padMessage(ByteView message);

/// Strips the padding strictly, as whatsmeow does: the last byte n must be 1..size and the last
/// n bytes must all equal n (Baileys' 1..16 pads pass). InvalidPadding otherwise.
sdk::Result<Bytes> unpadMessage(ByteView padded);

}  // namespace switchboard::whatsapp
