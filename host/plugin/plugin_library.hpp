#pragma once

// One loaded plugin library. Objects it created keep a shared_ptr to it, so it is unloaded only
// after the last of them is gone.

#include <memory>
#include <string>

#include <boost/dll/shared_library.hpp>

#include "switchboard/sdk/abi.hpp"
#include "switchboard/sdk/plugin.hpp"
#include "switchboard/sdk/result.hpp"

namespace switchboard::host {

class PluginLibrary {
 public:
  /// Loads `path`, checks its ABI record, and resolves its factory. Nothing in the library is called
  /// before the ABI record is accepted (static constructors aside, which dlopen runs).
  static sdk::Result<std::shared_ptr<PluginLibrary>> open(const std::string& path);

  const std::string& path() const { return path_; }
  const SwitchboardPluginAbi& abi() const { return *abi_; }
  const sdk::PluginFactory& factory() const { return *factory_; }

 private:
  std::string path_;
  boost::dll::shared_library library_;
  const SwitchboardPluginAbi* abi_ = nullptr;
  const sdk::PluginFactory* factory_ = nullptr;
};

using PluginLibraryPtr = std::shared_ptr<PluginLibrary>;

}  // namespace switchboard::host
