#pragma once

// The `admin:` section of the configuration, as the admin API uses it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "switchboard/sdk/config.hpp"

namespace switchboard::admin {

struct AdminSettings {
  bool enabled = false;
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string tlsCert, tlsKey;     ///< PEM files; both or neither (HTTPS when set)
  std::string tokensFile;          ///< optional, read-only tokens (see token_store.hpp)
  std::size_t maxBodyBytes = 1024 * 1024;
  double rateLimit = 50;           ///< requests per second per client address (0: off)
  double rateBurst = 100;
  double tokenRateLimit = 20;      ///< requests per second per token (0: off)
  double tokenRateBurst = 60;
  std::chrono::milliseconds requestTimeout{30000};
  int workerThreads = 2;           ///< threads running handlers (they block on the database)
  bool publicHealth = true;        ///< /v1/health/* without a token (probes)
  bool publicMetrics = false;      ///< /v1/metrics without a token (Prometheus scrapers)
  std::size_t maxEventClients = 256;  ///< WebSocket event feeds at once
  std::string tenantExportDir = "tenant-exports";  ///< where a deleted tenant's export goes

  /// From the validated section (adminConfigSchema() in config/daemon_config.hpp).
  static AdminSettings fromConfig(const switchboard::sdk::ConfigValue& section);
};

}  // namespace switchboard::admin
