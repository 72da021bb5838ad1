#pragma once

// Process-wide logging on spdlog. Under systemd (JOURNAL_STREAM set) lines carry the sd-daemon
// "<N>" priority prefix and no timestamp, so journald records the right level; elsewhere they get
// a timestamp. Components log "key=value" pairs after the sentence so lines stay greppable.

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "switchboard/sdk/context.hpp"

namespace switchboard::host {

/// Installs the default logger. Safe to call again (e.g. when --log-level changes on reload).
void initLogging(spdlog::level::level_enum level);

/// Parses "trace|debug|info|warn|error|critical|off"; nullopt-like failure as false.
bool parseLogLevel(std::string_view text, spdlog::level::level_enum& out);

/// A named logger derived from the default sink ("storage", "kafka", "plugin.routing").
std::shared_ptr<spdlog::logger> componentLogger(const std::string& name);

/// The SDK logger handed to a plugin instance.
class PluginLogger final : public sdk::Logger {
 public:
  explicit PluginLogger(std::string instance) : logger_(componentLogger("plugin." + instance)) {}
  void log(sdk::LogLevel level, std::string_view message) override;
  bool enabled(sdk::LogLevel level) const override;

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace switchboard::host
