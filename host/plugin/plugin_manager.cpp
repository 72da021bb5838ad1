#include "plugin/plugin_manager.hpp"

#include <future>

#include <boost/asio/post.hpp>

namespace switchboard::host {
namespace {

// Runs `fn` on `strand` and waits up to `deadline`; a stray exception becomes an error.
template <typename Strand, typename Fn>
sdk::Status runOn(Strand& strand, std::chrono::milliseconds deadline, const std::string& what, Fn fn) {
  auto promise = std::make_shared<std::promise<sdk::Status>>();
  auto future = promise->get_future();
  boost::asio::post(strand, [promise, fn = std::move(fn), what]() mutable {
    try {
      promise->set_value(fn());
    } catch (const std::exception& e) {
      promise->set_value(sdk::Error::permanent("plugin.exception", what + " threw: " + e.what()));
    } catch (...) {
      promise->set_value(sdk::Error::permanent("plugin.exception", what + " threw a non-exception"));
    }
  });
  if (future.wait_for(deadline) != std::future_status::ready) {
    return sdk::Error::retriable("plugin.timeout", what + " did not finish within " +
                                                       std::to_string(deadline.count()) + " ms");
  }
  return future.get();
}

}  // namespace

PluginInstance::~PluginInstance() {
  if (running_) {
    stop(std::chrono::seconds(5));
  }
}

sdk::Status PluginInstance::start(HostServices& services, std::chrono::milliseconds deadline) {
  auto log = componentLogger("plugins");
  context_ = std::make_unique<PluginContextImpl>(services, spec_.name, spec_.config, library_, spec_.tenant);
  const auto& factory = library_->factory();
  auto status = runOn(context_->strand(), deadline, "plugin \"" + spec_.name + "\" start", [&]() -> sdk::Status {
    auto made = factory.create(*context_);
    if (!made.ok()) {
      return made.takeError();
    }
    plugin_ = std::move(made).value();
    return plugin_->start();
  });
  if (!status.ok()) {
    plugin_.reset();
    context_.reset();
    return status;
  }
  running_ = true;
  log->info("plugin started instance={} library={} version={}", spec_.name, library_->path(),
            library_->abi().pluginVersion);
  return status;
}

void PluginInstance::stop(std::chrono::milliseconds deadline) {
  if (!running_) {
    return;
  }
  running_ = false;
  auto log = componentLogger("plugins");
  auto status = runOn(context_->strand(), deadline, "plugin \"" + spec_.name + "\" stop", [&]() -> sdk::Status {
    plugin_->stop();
    plugin_.reset();
    return sdk::okStatus();
  });
  if (!status.ok()) {
    // The plugin is wedged; leak it rather than destroy it under its own feet.
    log->error("plugin did not stop cleanly instance={} error=\"{}\"", spec_.name, status.error().describe());
    (void)plugin_.release();
    (void)context_.release();
    return;
  }
  // Queued handlers on the strand may still reference the plugin's code: let them run before the
  // context (and with it the last reference to the library) goes.
  auto strand = context_->strand();
  boost::asio::post(strand, [ctx = std::shared_ptr<PluginContextImpl>(std::move(context_)), lib = library_] {});
  log->info("plugin stopped instance={}", spec_.name);
}

ReloadReport PluginManager::apply(const std::vector<PluginSpec>& specs, std::chrono::milliseconds deadline) {
  // One reconfiguration at a time (a SIGHUP reload may meet the shutdown).
  std::lock_guard applying(applyMutex_);
  auto log = componentLogger("plugins");
  ReloadReport report;
  std::map<std::string, const PluginSpec*> wanted;
  for (const auto& spec : specs) {
    if (spec.enabled) {
      wanted[spec.name] = &spec;
    }
  }
  // Stop what is gone or changed, in reverse start order.
  std::vector<std::string> order;
  {
    std::lock_guard lock(mutex_);
    order = order_;
  }
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    PluginInstancePtr instance;
    {
      std::lock_guard lock(mutex_);
      instance = running_.at(*it);
    }
    auto w = wanted.find(*it);
    if (w != wanted.end() && w->second->fingerprint() == instance->spec().fingerprint()) {
      continue;
    }
    instance->stop(deadline);
    std::lock_guard lock(mutex_);
    running_.erase(*it);
    order_.erase(std::find(order_.begin(), order_.end(), *it));
    (w == wanted.end() ? report.stopped : report.restarted).push_back(*it);
  }
  // Start what is new or changed, in file order.
  for (const auto& spec : specs) {
    if (!spec.enabled) {
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      if (running_.count(spec.name) != 0) {
        report.unchanged.push_back(spec.name);
        continue;
      }
    }
    auto library = catalog_.resolve(spec.library);
    if (!library.ok()) {
      log->error("plugin not started instance={} error=\"{}\"", spec.name, library.error().describe());
      report.failed.push_back(spec.name);
      continue;
    }
    auto instance = std::make_shared<PluginInstance>(spec, library.value());
    if (auto status = instance->start(services_, deadline); !status.ok()) {
      log->error("plugin failed to start instance={} error=\"{}\"", spec.name, status.error().describe());
      report.failed.push_back(spec.name);
      continue;
    }
    if (std::find(report.restarted.begin(), report.restarted.end(), spec.name) == report.restarted.end()) {
      report.started.push_back(spec.name);
    }
    std::lock_guard lock(mutex_);
    running_[spec.name] = instance;
    order_.push_back(spec.name);
  }
  return report;
}

void PluginManager::stopAll(std::chrono::milliseconds deadline) {
  // An empty configuration: everything stops, in reverse start order.
  (void)apply({}, deadline);
}

std::vector<PluginInstancePtr> PluginManager::instances() const {
  std::lock_guard lock(mutex_);
  std::vector<PluginInstancePtr> out;
  for (const auto& name : order_) {
    if (auto it = running_.find(name); it != running_.end()) {
      out.push_back(it->second);
    }
  }
  return out;
}

}  // namespace switchboard::host
