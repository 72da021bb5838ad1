#include "admin/plugin_directory.hpp"

#include <boost/asio/post.hpp>
#include <future>

namespace switchboard::admin {

std::vector<PluginState> DaemonPluginDirectory::plugins() {
  auto running = manager_.instances();
  std::vector<PluginState> out;
  for (const auto& spec : configured_()) {
    PluginState p;
    p.name = spec.name;
    p.library = spec.library;
    p.enabled = spec.enabled;
    if (auto lib = catalog_.resolve(spec.library)) {
      p.version = lib.value()->factory().version();
    }
    for (const auto& inst : running) {
      auto* plugin = inst->plugin();
      if (inst->spec().name != spec.name || plugin == nullptr) {
        continue;
      }
      p.running = true;
      if (plugin->asConnector() != nullptr) {
        p.kinds.emplace_back("connector");
      }
      if (plugin->asRouter() != nullptr) {
        p.kinds.emplace_back("router");
      }
      if (plugin->asResponder() != nullptr) {
        p.kinds.emplace_back("responder");
      }
      if (plugin->asSync() != nullptr) {
        p.kinds.emplace_back("sync");
      }
      if (sdk::sessionControlOf(plugin) != nullptr) {
        p.kinds.emplace_back("sessions");
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::string> DaemonPluginDirectory::sessionControllers() {
  std::vector<std::string> out;
  for (const auto& inst : manager_.instances()) {
    if (inst->plugin() != nullptr && sdk::sessionControlOf(inst->plugin()) != nullptr) {
      out.push_back(inst->spec().name);
    }
  }
  return out;
}

sdk::Status DaemonPluginDirectory::withSessionControl(const std::string& instance,
                                                      std::function<void(sdk::SessionControl&)> call,
                                                      std::chrono::milliseconds deadline) {
  host::PluginInstancePtr target;
  for (const auto& inst : manager_.instances()) {
    if (inst->spec().name == instance) {
      target = inst;
    }
  }
  auto* control = target && target->plugin() != nullptr ? sdk::sessionControlOf(target->plugin()) : nullptr;
  if (control == nullptr) {
    return sdk::Error::permanent("plugin.not_found", "no running plugin \"" + instance + "\" with session control");
  }
  auto done = std::make_shared<std::promise<std::string>>();
  auto finished = done->get_future();
  // The instance is held until the call has run, so a reload cannot destroy the plugin under it.
  boost::asio::post(target->context()->strand(), [target, control, call = std::move(call), done] {
    std::string thrown;
    try {
      call(*control);
    } catch (const std::exception& e) {
      thrown = e.what()[0] != '\0' ? e.what() : "an exception";
    } catch (...) {
      thrown = "an unknown exception";
    }
    done->set_value(std::move(thrown));
  });
  if (finished.wait_for(deadline) != std::future_status::ready) {
    return sdk::Error::retriable("plugin.timeout", "plugin \"" + instance + "\" did not answer within " +
                                                       std::to_string(deadline.count()) + " ms");
  }
  // A plugin's exception never crosses into the host: it becomes this error.
  if (auto thrown = finished.get(); !thrown.empty()) {
    return sdk::Error::permanent("plugin.error", "plugin \"" + instance + "\" threw " + thrown);
  }
  return sdk::okStatus();
}

}  // namespace switchboard::admin
