#pragma once

// What a plugin instance configured under `tenants.<id>` sees of the host: only its tenant. The
// SDK's default tenant stands for "mine" (plugins written for one company keep working unchanged
// under any tenant); naming another tenant is refused, never silently served.

#include <memory>
#include <string>

#include "switchboard/sdk/context.hpp"

namespace switchboard::host {

/// The tenant a scoped instance means by `given`; empty when `given` names another tenant.
std::string scopedTenant(const std::string& own, const std::string& given);

/// Handlers see only events of `tenant`; published events are stamped with it.
std::unique_ptr<sdk::EventBus> makeTenantEventBus(std::unique_ptr<sdk::EventBus> inner, std::string tenant);
/// Commands are stamped with `tenant`; a command for another tenant is refused ("tenant.mismatch").
std::unique_ptr<sdk::Outbound> makeTenantOutbound(sdk::Outbound& inner, std::string tenant);
/// Messages, events and results are stamped with `tenant`; another tenant's is refused or dropped.
std::unique_ptr<sdk::InboundSink> makeTenantInboundSink(sdk::InboundSink& inner, std::string tenant);

}  // namespace switchboard::host
