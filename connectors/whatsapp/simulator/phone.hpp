#pragma once

// What the simulated primary phone says on its own, as a real phone does: right after linking a
// companion it shares the account's app-state sync key and tells it that no history will follow
// (clients wait for both before they go online; Baileys 6 waits forever without them). The
// PhoneAgent encrypts them.

#include <vector>

#include "simulator/state.hpp"

namespace switchboard::wasim {

/// Gives a new account's phone its app-state sync key.
void initPhoneKeys(PrimaryPhone& phone);

/// The peer messages (serialized WhatsApp Message protobufs) the phone sends to a companion it
/// just linked, in order.
std::vector<whatsapp::Bytes> welcomeMessages(const Account& account);

}  // namespace switchboard::wasim
