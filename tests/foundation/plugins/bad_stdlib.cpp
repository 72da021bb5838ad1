// A plugin built (it claims) with another C++ standard library ABI.
#include "switchboard/sdk.hpp"

extern "C" BOOST_SYMBOL_EXPORT const SwitchboardPluginAbi switchboard_plugin_abi;
extern "C" BOOST_SYMBOL_EXPORT const SwitchboardPluginAbi switchboard_plugin_abi = {
    SWITCHBOARD_ABI_MAGIC, sizeof(SwitchboardPluginAbi), SWITCHBOARD_SDK_VERSION_MAJOR, 0,
    "clang 99", "libc++", "libcxx-plugin", "1.0.0"};

extern "C" BOOST_SYMBOL_EXPORT const switchboard::sdk::PluginFactory* switchboard_plugin_factory();
extern "C" BOOST_SYMBOL_EXPORT const switchboard::sdk::PluginFactory* switchboard_plugin_factory() { __builtin_trap(); }
