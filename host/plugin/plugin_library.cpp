#include "plugin/plugin_library.hpp"

#include <boost/dll/library_info.hpp>

#include "plugin/abi_check.hpp"

namespace switchboard::host {

sdk::Result<std::shared_ptr<PluginLibrary>> PluginLibrary::open(const std::string& path) {
  auto lib = std::shared_ptr<PluginLibrary>(new PluginLibrary());
  lib->path_ = path;
  try {
    lib->library_.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    // Boost.DLL wraps dlerror() in a long sentence; keep dlerror's own words.
    std::string why = e.what();
    if (auto p = why.find("dlerror system message: "); p != std::string::npos) {
      why = why.substr(p + 24);
      why = why.substr(0, why.find("): "));
    }
    return sdk::Error::permanent("plugin.load", "cannot load plugin library " + path + ": " + why);
  }
  if (!lib->library_.has(SWITCHBOARD_ABI_SYMBOL)) {
    return sdk::Error::permanent("plugin.abi", "plugin library " + path + " exports no " SWITCHBOARD_ABI_SYMBOL
                                               " record: it was not built with SWITCHBOARD_PLUGIN()");
  }
  lib->abi_ = &lib->library_.get<const SwitchboardPluginAbi>(SWITCHBOARD_ABI_SYMBOL);
  SB_TRY(checkAbi(*lib->abi_, path));
  if (!lib->library_.has(SWITCHBOARD_FACTORY_SYMBOL)) {
    return sdk::Error::permanent("plugin.factory", "plugin library " + path + " exports no " SWITCHBOARD_FACTORY_SYMBOL
                                                   " function");
  }
  try {
    auto& makeFactory = lib->library_.get<const sdk::PluginFactory*()>(SWITCHBOARD_FACTORY_SYMBOL);
    lib->factory_ = makeFactory();
  } catch (const std::exception& e) {
    return sdk::Error::permanent("plugin.factory", "plugin library " + path + ": factory threw: " + e.what());
  } catch (...) {
    return sdk::Error::permanent("plugin.factory", "plugin library " + path + ": factory threw a non-exception");
  }
  if (lib->factory_ == nullptr) {
    return sdk::Error::permanent("plugin.factory", "plugin library " + path + ": factory returned null");
  }
  return lib;
}

}  // namespace switchboard::host
