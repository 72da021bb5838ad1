#pragma once

// sbctl's command line: a command word, its positional arguments, and --options anywhere. Each
// option is declared as a flag or as taking a value, so a value that starts with "--" is still a
// value (`--text --help` sends the text "--help").

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace switchboard::sbctl {

class CliArgs {
 public:
  /// Options taking a value (everything else after "--" is a flag). Returns false, with `error()`
  /// set, on an unknown option or a missing value.
  bool parse(int argc, char** argv, const std::set<std::string>& valued, const std::set<std::string>& flags);

  const std::vector<std::string>& positional() const { return positional_; }
  bool flag(const std::string& name) const { return flags_.count(name) != 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::vector<std::string> values(const std::string& name) const;
  const std::string& error() const { return error_; }

 private:
  std::vector<std::string> positional_;
  std::set<std::string> flags_;
  std::map<std::string, std::vector<std::string>> values_;
  std::string error_;
};

}  // namespace switchboard::sbctl
