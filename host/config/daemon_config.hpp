#pragma once

// The host's own sections: `daemon` (process), `pipeline` (queues between plugins) and `admin`
// (the admin API).

#include "switchboard/sdk/config.hpp"

namespace switchboard::host {

sdk::ConfigSchema daemonConfigSchema();
sdk::ConfigSchema pipelineConfigSchema();
/// `admin`: the admin API's listener, TLS, tokens and limits (host/admin).
sdk::ConfigSchema adminConfigSchema();

}  // namespace switchboard::host
