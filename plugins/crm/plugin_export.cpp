// The shared library's entry points: the ABI record and the factory.
#include "crm_plugin.hpp"
#include "switchboard/sdk/abi.hpp"

SWITCHBOARD_PLUGIN(switchboard::crm::CrmPlugin, "crm", "1.0.0")
