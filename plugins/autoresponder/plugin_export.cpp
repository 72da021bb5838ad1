// The one exported entry point of switchboard-autoresponder.so.

#include "autoresponder_plugin.hpp"
#include "switchboard/sdk/abi.hpp"

SWITCHBOARD_PLUGIN(switchboard::autoresponder::AutoResponderPlugin, "autoresponder", "1.0.0")
