#pragma once

// The daemon's AccountRunner: the accounts come from the shared database, and running, releasing,
// adding and removing go to every connector plugin that offers account placement
// (sdk::AccountPlacement) or session control, called on the plugin's strand.

#include <memory>

#include "cluster/account_runner.hpp"
#include "plugin/plugin_manager.hpp"
#include "storage/store.hpp"

namespace switchboard::host::cluster {

class PluginAccountRunner final : public AccountRunner {
 public:
  PluginAccountRunner(PluginManager& plugins, std::shared_ptr<Store> store)
      : plugins_(plugins), store_(std::move(store)) {}

  sdk::Result<std::vector<KnownAccount>> accounts() override;
  sdk::Status run(const KnownAccount& account) override;
  sdk::Status release(const KnownAccount& account, std::chrono::milliseconds deadline) override;
  sdk::Status admit(const KnownAccount& account) override;
  sdk::Status add(const KnownAccount& account, const std::string& name) override;
  sdk::Status remove(const KnownAccount& account) override;

 private:
  /// Runs `call` on the strand of every plugin with account placement; the first error wins.
  sdk::Status onEachPlacement(const std::function<sdk::Status(sdk::Plugin&)>& call,
                              std::chrono::milliseconds deadline);

  PluginManager& plugins_;
  std::shared_ptr<Store> store_;
};

}  // namespace switchboard::host::cluster
