#pragma once

// A configuration problem with its place: "switchboard.yaml:42:7: routing.strategy: unknown value ...".

#include <string>
#include <vector>

namespace switchboard::host {

struct ConfigError {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
  std::string key; // dotted path, e.g. "plugins.routing.config.strategy"
  std::string message;

  std::string describe() const;
};

using ConfigErrors = std::vector<ConfigError>;

/// All errors, one per line.
std::string describe(const ConfigErrors& errors);

/// The closest candidate within a small edit distance ("" when none is close): for "did you mean".
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace switchboard::host
