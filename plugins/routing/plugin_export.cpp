// The one line that makes this library a Switchboard plugin: the ABI record the host checks
// first, and the factory it then calls (only in the module, not in the library the tests link).

#include "routing_plugin.hpp"

SWITCHBOARD_PLUGIN(switchboard::routing::RoutingPlugin, "routing", "1.0.0")
