#include "plugin/plugin_catalog.hpp"

#include <filesystem>

namespace switchboard::host {

void PluginCatalog::setDirectory(std::string directory) {
  std::lock_guard lock(mutex_);
  directory_ = std::move(directory);
}

sdk::Result<PluginLibraryPtr> PluginCatalog::resolve(const std::string& name) {
  std::lock_guard lock(mutex_);
  std::string path;
  if (name.find('/') != std::string::npos) {
    path = name;
  } else {
    for (const auto& candidate : {directory_ + "/switchboard-" + name + ".so", directory_ + "/" + name + ".so"}) {
      std::error_code ec;
      if (std::filesystem::exists(candidate, ec)) {
        path = candidate;
        break;
      }
    }
    if (path.empty()) {
      return sdk::Error::permanent("plugin.not_found", "no plugin library \"" + name + "\" in " + directory_ +
                                                           " (looked for switchboard-" + name + ".so and " + name +
                                                           ".so; set daemon.plugin_dir or --plugin-dir)");
    }
  }
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(path, ec);
  const std::string key = ec ? path : canonical.string();
  if (auto it = loaded_.find(key); it != loaded_.end()) {
    return it->second;
  }
  auto lib = PluginLibrary::open(key);
  if (!lib.ok()) {
    return lib.takeError();
  }
  loaded_[key] = lib.value();
  return lib.value();
}

}  // namespace switchboard::host
