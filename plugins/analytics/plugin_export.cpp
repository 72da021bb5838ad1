// The one exported entry point of switchboard-analytics.so.

#include "analytics_plugin.hpp"
#include "switchboard/sdk/abi.hpp"

SWITCHBOARD_PLUGIN(switchboard::analytics::AnalyticsPlugin, "analytics", "1.0.0")
