#include "sbctl/cli_args.hpp"

namespace switchboard::sbctl {

bool CliArgs::parse(int argc, char** argv, const std::set<std::string>& valued, const std::set<std::string>& flags) {
  bool onlyPositional = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (onlyPositional || a.size() < 2 || a.rfind("--", 0) != 0) {
      if (a == "-h") {
        flags_.insert("help");
        continue;
      }
      positional_.push_back(a);
      continue;
    }
    if (a == "--") {
      onlyPositional = true;
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inlineValue;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inlineValue = name.substr(eq + 1);
      name.resize(eq);
    }
    if (valued.count(name) != 0) {
      if (inlineValue) {
        values_[name].push_back(*inlineValue);
      } else if (i + 1 < argc) {
        values_[name].push_back(argv[++i]);
      } else {
        error_ = "--" + name + " needs a value";
        return false;
      }
    } else if (flags.count(name) != 0 && !inlineValue) {
      flags_.insert(name);
    } else {
      error_ = "unknown option --" + name;
      return false;
    }
  }
  return true;
}

std::optional<std::string> CliArgs::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) {
    return std::nullopt;
  }
  return it->second.back();
}

std::vector<std::string> CliArgs::values(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace switchboard::sbctl
