#pragma once

// The daemon's lifecycle: load and validate the configuration, open storage, start Kafka, the
// pipeline and the plugins on an I/O thread pool, then serve signals: SIGHUP reloads, SIGTERM and
// SIGINT drain and stop within the configured deadline.

#include <memory>
#include <optional>
#include <string>

namespace switchboard::host {

struct DaemonOptions {
  std::string configPath;
  std::optional<std::string> pluginDir;  // --plugin-dir, overrides daemon.plugin_dir
  std::optional<std::string> logLevel;   // --log-level, overrides daemon.log_level
  std::string builtinPluginDir;          // where the build or the package put the plugins
};

/// Exit codes scripts can rely on.
enum ExitCode : int { kExitOk = 0, kExitFailure = 1, kExitConfig = 2 };

/// Validates the file and every plugin section without starting anything. Prints problems to stderr.
int checkConfig(const DaemonOptions& options);

/// Runs until SIGTERM/SIGINT. Returns the process exit code.
int runDaemon(const DaemonOptions& options);

/// `--create-token NAME --role ROLE [--tenant T]`: stores a new admin API token's hash in the
/// configured database and prints the token (once) on stdout.
int createToken(const DaemonOptions& options, const std::string& name, const std::string& role,
                const std::string& tenant);

}  // namespace switchboard::host
