#pragma once

// What the simulated primary phone sends on its own, as a real phone does: right after linking a
// companion it shares the account's app-state sync key and tells it that no history will follow
// (clients wait for both before they go online; Baileys 6 waits forever without them).

#include <vector>

#include "simulator/state.hpp"

namespace switchboard::wasim {

/// Gives a new account's phone its app-state sync key.
void initPhoneKeys(PrimaryPhone& phone);

/// The peer messages the phone sends to a companion it just linked, in order.
std::vector<whatsapp::Node> welcomeMessages(const Account& account);

}  // namespace switchboard::wasim
