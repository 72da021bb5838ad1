#pragma once

// Compares a plugin's ABI record with the host's own, before any other call into the plugin.

#include <string>

#include "switchboard/sdk/abi.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::host {

namespace sdk = ::switchboard::sdk;

/// The record describing how the host itself was built.
const SwitchboardPluginAbi& hostAbi();

/// OK, or a Permanent error whose message names the plugin, its file and both versions.
sdk::Status checkAbi(const SwitchboardPluginAbi& plugin, const std::string& file);

}  // namespace switchboard::host
