// The one exported entry point of switchboard-campaigns.so.

#include "campaigns_plugin.hpp"
#include "switchboard/sdk/abi.hpp"

SWITCHBOARD_PLUGIN(switchboard::campaigns::CampaignsPlugin, "campaigns", "1.0.0")
