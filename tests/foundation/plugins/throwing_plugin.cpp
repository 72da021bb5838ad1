// A plugin whose constructor throws: the host must turn it into an error, not crash.
#include <stdexcept>

#include "switchboard/sdk.hpp"

namespace sb = switchboard::sdk;

namespace {
class Throwing final : public sb::Plugin {
 public:
  explicit Throwing(sb::PluginContext&) { throw std::runtime_error("constructor exploded on purpose"); }
  static sb::ConfigSchema schema() { return {}; }
  sb::Status start() override { return {}; }
  void stop() override {}
};
}  // namespace

SWITCHBOARD_PLUGIN(Throwing, "throwing", "1.0.0")
