#pragma once

// Runs the configured plugin instances: creates and starts them, stops them within a deadline, and
// on reload restarts only the instances whose library or validated configuration changed.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config_file.hpp"
#include "plugin/plugin_catalog.hpp"
#include "plugin/plugin_context.hpp"

namespace switchboard::host {

class PluginInstance {
 public:
  PluginInstance(PluginSpec spec, PluginLibraryPtr library) : spec_(std::move(spec)), library_(std::move(library)) {}
  ~PluginInstance();

  /// Creates the plugin through its factory and calls start() on its strand.
  sdk::Status start(HostServices& services, std::chrono::milliseconds deadline);
  /// Calls stop() on its strand, waiting at most `deadline`, then destroys the plugin.
  void stop(std::chrono::milliseconds deadline);

  const PluginSpec& spec() const { return spec_; }
  sdk::Plugin* plugin() const { return plugin_.get(); }
  PluginContextImpl* context() const { return context_.get(); }

 private:
  PluginSpec spec_;
  PluginLibraryPtr library_;                     // declared first: destroyed last
  std::unique_ptr<PluginContextImpl> context_;
  std::unique_ptr<sdk::Plugin> plugin_;
  bool running_ = false;
};

using PluginInstancePtr = std::shared_ptr<PluginInstance>;

struct ReloadReport {
  std::vector<std::string> started, stopped, restarted, unchanged, failed;
};

class PluginManager {
 public:
  PluginManager(HostServices& services, PluginCatalog& catalog) : services_(services), catalog_(catalog) {}

  /// Brings the running set in line with `specs`. An instance that fails to start is reported and
  /// left out; the others still run.
  ReloadReport apply(const std::vector<PluginSpec>& specs, std::chrono::milliseconds deadline);
  void stopAll(std::chrono::milliseconds deadline);

  /// Snapshot of running instances (the pipeline reads it for each message).
  std::vector<PluginInstancePtr> instances() const;

 private:
  HostServices& services_;
  PluginCatalog& catalog_;
  std::mutex applyMutex_;
  mutable std::mutex mutex_;
  std::map<std::string, PluginInstancePtr> running_;  // by instance name
  std::vector<std::string> order_;                    // start order; stopped in reverse
};

}  // namespace switchboard::host
