// The daemon's account placement calls (a suspended tenant's accounts released, a resumed
// tenant's run again), posted onto each plugin's strand like session-control calls.

#include <boost/asio/post.hpp>
#include <future>

#include "admin/plugin_directory.hpp"

namespace switchboard::admin {

sdk::Result<int> DaemonPluginDirectory::withAccountPlacement(std::function<sdk::Status(sdk::AccountPlacement&)> call,
                                                             std::chrono::milliseconds deadline) {
  int called = 0;
  std::optional<sdk::Error> firstError;
  for (const auto& inst : manager_.instances()) {
    auto* placement = inst->plugin() != nullptr ? sdk::accountPlacementOf(inst->plugin()) : nullptr;
    if (placement == nullptr) {
      continue;
    }
    auto done = std::make_shared<std::promise<sdk::Status>>();
    auto finished = done->get_future();
    // The instance is held until the call has run, so a reload cannot destroy the plugin under it.
    boost::asio::post(inst->context()->strand(), [inst, placement, call, done] {
      try {
        done->set_value(call(*placement));
      } catch (const std::exception& e) {
        done->set_value(sdk::Error::permanent("plugin.error", "plugin \"" + inst->spec().name + "\" threw " + e.what()));
      } catch (...) {
        done->set_value(sdk::Error::permanent("plugin.error", "plugin \"" + inst->spec().name + "\" threw"));
      }
    });
    ++called;
    if (finished.wait_for(deadline) != std::future_status::ready) {
      firstError = firstError.value_or(sdk::Error::retriable(
          "plugin.timeout", "plugin \"" + inst->spec().name + "\" did not answer within " +
                                std::to_string(deadline.count()) + " ms"));
      continue;
    }
    if (auto s = finished.get(); !s.ok() && !firstError) {
      firstError = s.error();
    }
  }
  if (firstError) {
    return *firstError;
  }
  return called;
}

}  // namespace switchboard::admin
