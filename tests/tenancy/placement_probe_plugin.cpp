// A test-only plugin offering sdk::AccountPlacement and nothing else: each runAccount and
// releaseAccount call is announced as an event (probe.run, probe.released) with its tenant and
// account, so a test sees which accounts the host connected or disconnected.

#include <chrono>

#include "switchboard/sdk.hpp"
#include "switchboard/sdk/account_placement.hpp"

namespace sb = switchboard::sdk;

namespace {

class PlacementProbe final : public sb::Plugin, public sb::AccountPlacement {
 public:
  explicit PlacementProbe(sb::PluginContext& ctx) : ctx_(ctx) {}

  static sb::ConfigSchema schema() { return {}; }

  sb::Status start() override { return {}; }
  void stop() override {}

  sb::Status runAccount(const sb::TenantId& tenant, const sb::AccountId& account) override {
    announce("probe.run", tenant, account);
    return {};
  }

  sb::Status releaseAccount(const sb::TenantId& tenant, const sb::AccountId& account,
                            std::chrono::milliseconds deadline) override {
    (void)deadline;
    announce("probe.released", tenant, account);
    return {};
  }

 private:
  void announce(const char* type, const sb::TenantId& tenant, const sb::AccountId& account) {
    sb::Event e;
    e.type = type;
    e.tenant = tenant;
    e.account = account;
    e.subject = account;
    ctx_.events().publish(e);
  }

  sb::PluginContext& ctx_;
};

}  // namespace

SWITCHBOARD_PLUGIN(PlacementProbe, "placement-probe", "0.1.0")
