#pragma once

/// @file
/// @brief Version of the Switchboard plugin SDK. A plugin built against another major version is refused.

#define SWITCHBOARD_SDK_VERSION_MAJOR 1
#define SWITCHBOARD_SDK_VERSION_MINOR 3
#define SWITCHBOARD_SDK_VERSION_STRING "1.3"
