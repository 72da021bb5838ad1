#pragma once

// Finds plugin libraries by name in the plugin directory and keeps each loaded once.

#include <map>
#include <mutex>
#include <string>

#include "plugin/plugin_library.hpp"

namespace switchboard::host {

class PluginCatalog {
 public:
  explicit PluginCatalog(std::string directory) : directory_(std::move(directory)) {}

  void setDirectory(std::string directory);
  const std::string& directory() const { return directory_; }

  /// `name` is a path (contains '/') or a name looked up as DIR/switchboard-NAME.so, then DIR/NAME.so.
  sdk::Result<PluginLibraryPtr> resolve(const std::string& name);

 private:
  std::string directory_;
  std::mutex mutex_;
  std::map<std::string, PluginLibraryPtr> loaded_;  // by resolved path
};

}  // namespace switchboard::host
