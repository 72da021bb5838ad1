#pragma once

/// @file
/// @brief Account placement (SDK 1.3): when several daemons share one Kafka cluster and one
/// PostgreSQL, the host decides which accounts this daemon runs (the partitions of the `control`
/// topic it holds in the daemons' consumer group) and tells the connector to run or release each.
///
/// A connector supports it by deriving from AccountPlacement as well as from Plugin; the host finds
/// it with sdk::accountPlacementOf(plugin). When PluginContext::accountsPlacedByHost() is true the
/// connector starts no account on its own: it only records the accounts it knows and waits for
/// runAccount(). The class has default visibility so its type information is shared between the
/// host and plugins built with hidden visibility.
///
/// Threads: the host calls both methods on the plugin's strand.

#include <chrono>

#include "switchboard/sdk/plugin.hpp"
#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"

namespace switchboard::sdk {

class __attribute__((visibility("default"))) AccountPlacement {
 public:
  virtual ~AccountPlacement() = default;

  /// @brief Starts (connects) the session of `account`, which this daemon now owns. An account the
  /// connector does not know yet is added as SessionControl::createSession would. Returns promptly;
  /// connecting goes on in the background. Running an account that already runs changes nothing.
  virtual Status runAccount(const TenantId& tenant, const AccountId& account) = 0;

  /// @brief Stops the session of `account`, keeping its credentials: in-flight work (messages being
  /// stored, commands being sent) is finished or abandoned un-acked, and the connection is closed,
  /// before this returns or `deadline` passes. Afterwards nothing of the session writes to storage
  /// or talks to the network. Releasing an account that does not run changes nothing.
  virtual Status releaseAccount(const TenantId& tenant, const AccountId& account,
                                std::chrono::milliseconds deadline) = 0;
};

/// @brief The plugin's account placement, or null when it has none.
inline AccountPlacement* accountPlacementOf(Plugin* plugin) { return dynamic_cast<AccountPlacement*>(plugin); }

}  // namespace switchboard::sdk
