#pragma once

// The daemon's PluginDirectory: configured instances and their state from the plugin manager, and
// session-control calls posted onto each plugin's strand.

#include <functional>
#include <vector>

#include "admin/admin_services.hpp"
#include "config/config_file.hpp"
#include "plugin/plugin_catalog.hpp"
#include "plugin/plugin_manager.hpp"

namespace switchboard::admin {

class DaemonPluginDirectory final : public PluginDirectory {
 public:
  /// `configured` returns the plugin list of the configuration in force (it changes on SIGHUP).
  DaemonPluginDirectory(host::PluginManager& manager, host::PluginCatalog& catalog,
                        std::function<std::vector<host::PluginSpec>()> configured)
      : manager_(manager), catalog_(catalog), configured_(std::move(configured)) {}

  std::vector<PluginState> plugins() override;
  std::vector<std::string> sessionControllers() override;
  sdk::Status withSessionControl(const std::string& instance, std::function<void(sdk::SessionControl&)> call,
                                 std::chrono::milliseconds deadline) override;
  /// In plugin_placement.cpp.
  sdk::Result<int> withAccountPlacement(std::function<sdk::Status(sdk::AccountPlacement&)> call,
                                        std::chrono::milliseconds deadline) override;

 private:
  host::PluginManager& manager_;
  host::PluginCatalog& catalog_;
  std::function<std::vector<host::PluginSpec>()> configured_;
};

}  // namespace switchboard::admin
