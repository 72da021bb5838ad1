// A plugin whose ABI record claims another SDK major version: the host must refuse it by name.
#include "switchboard/sdk.hpp"

extern "C" BOOST_SYMBOL_EXPORT const SwitchboardPluginAbi switchboard_plugin_abi;
extern "C" BOOST_SYMBOL_EXPORT const SwitchboardPluginAbi switchboard_plugin_abi = {
    SWITCHBOARD_ABI_MAGIC, sizeof(SwitchboardPluginAbi), SWITCHBOARD_SDK_VERSION_MAJOR + 1, 0,
    SWITCHBOARD_COMPILER_STRING, SWITCHBOARD_STDLIB_ABI_STRING, "future-plugin", "9.9.9"};

// If the host called this despite the record, the test would see the abort.
extern "C" BOOST_SYMBOL_EXPORT const switchboard::sdk::PluginFactory* switchboard_plugin_factory();
extern "C" BOOST_SYMBOL_EXPORT const switchboard::sdk::PluginFactory* switchboard_plugin_factory() { __builtin_trap(); }
