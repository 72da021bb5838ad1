#pragma once

// The connector's configuration: the schema the host validates, and the settings parsed from it.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/cert_chain.hpp"
#include "switchboard/sdk/config.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::whatsapp::connector {

inline constexpr const char* kDefaultServerUrl = "wss://web.whatsapp.com/ws/chat";

/// How an account without credentials links itself to its phone.
enum class PairingMethod { Qr, Code };

struct AccountSettings {
  std::string id;       ///< our name for the account (usually the phone number)
  std::string tenant = "default";
  std::string phone;    ///< E.164 digits; required for code pairing
  PairingMethod pairing = PairingMethod::Qr;
  std::string pushName;
};

struct ReconnectSettings {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{300'000};
  double jitter = 0.2;   ///< each wait is scaled by a random factor in [1 - jitter, 1 + jitter]
  int parkAfter = 30;    ///< consecutive failed connections before the account is parked
};

struct PacingSettings {
  double perSecond = 1.0;  ///< sustained sends per account
  int burst = 5;           ///< sends allowed at once after a quiet period
};

struct ConnectorSettings {
  std::vector<AccountSettings> accounts;
  std::string serverUrl = kDefaultServerUrl;
  TrustedRoot root;
  std::string tlsCaFile;   ///< extra trust anchor for wss:// (the simulator's); empty: system store
  bool tlsVerify = true;
  std::string deviceName = "Switchboard";
  ReconnectSettings reconnect;
  PacingSettings pacing;
  std::chrono::milliseconds keepalive{25'000};
  std::chrono::milliseconds iqTimeout{60'000};
  std::chrono::milliseconds qrFirstTimeout{60'000};
  std::chrono::milliseconds qrNextTimeout{20'000};
  int prekeyBatch = 50;      ///< one-time prekeys uploaded at a time
  int prekeyLowWater = 10;   ///< the server holding fewer than this triggers an upload
  std::string mediaDir;      ///< empty: <state dir>/media
  std::string mediaCaFile;   ///< extra PEM trust anchor for the media hosts (the simulator's CA)
  int mediaAttempts = 4;     ///< rounds of download attempts over all media hosts
  std::uint64_t mediaMaxBytes = 64u << 20;  ///< largest media file downloaded or sent
  std::chrono::milliseconds sentRetention{86'400'000};
  int threads = 2;           ///< the connector's own I/O threads (every account is a strand on them)
  bool fairDecryption = true;  ///< decryption turns handed to tenants in turn (connector/tenant_turns.hpp)

  /// Reads a validated section (every key present). Fails on combinations the schema cannot
  /// express (duplicate ids, code pairing without a phone, a malformed root key).
  static sdk::Result<ConnectorSettings> parse(const sdk::ConfigValue& section);
};

/// The schema of the connector's configuration section.
sdk::ConfigSchema connectorSchema();

}  // namespace switchboard::whatsapp::connector
