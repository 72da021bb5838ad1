#pragma once

// The host's own sections: `daemon` (process) and `pipeline` (queues between plugins).

#include "switchboard/sdk/config.hpp"

namespace switchboard::host {

sdk::ConfigSchema daemonConfigSchema();
sdk::ConfigSchema pipelineConfigSchema();

}  // namespace switchboard::host
