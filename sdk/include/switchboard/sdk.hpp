#pragma once

/// @file
/// @brief The one header a plugin includes.

#include "switchboard/sdk/abi.hpp"
#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/connector_storage.hpp"
#include "switchboard/sdk/context.hpp"
#include "switchboard/sdk/plugin.hpp"
#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/storage.hpp"
#include "switchboard/sdk/types.hpp"
#include "switchboard/sdk/version.hpp"
