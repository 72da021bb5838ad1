#pragma once

// Parsing of scalar configuration values and `${ENV}` substitution. Each returns an error sentence
// (empty on success) so the validator can attach the place.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace switchboard::host {

/// "250ms", "10s", "5m", "2h", "1d" or a bare integer of milliseconds.
std::string parseDuration(const std::string& text, std::chrono::milliseconds& out);
std::string parseInt(const std::string& text, std::int64_t& out);
std::string parseDouble(const std::string& text, double& out);
std::string parseBool(const std::string& text, bool& out);

/// Replaces `${NAME}` and `${NAME:-fallback}`; `$$` is a literal `$`. An unset variable without a
/// fallback is an error naming it. `lookup` returns nullopt for unset variables.
std::string substituteEnv(const std::string& text, std::string& out,
                          const std::function<std::optional<std::string>(const std::string&)>& lookup);

/// Reads a secret file (systemd credentials, Kubernetes secrets): content without a trailing newline.
std::string readSecretFile(const std::string& path, std::string& out);

}  // namespace switchboard::host
