// A connector for the fairness tests: it runs account "acct-<tenant>" of every tenant and takes
// `delay` to send each command (a slow network), appending the command id to `sent_file` in the
// order it executed them.

#include <chrono>
#include <fstream>
#include <thread>

#include "switchboard/sdk.hpp"

namespace sb = switchboard::sdk;

namespace {

class SlowConnector final : public sb::Plugin, public sb::Connector {
 public:
  explicit SlowConnector(sb::PluginContext& ctx) : ctx_(ctx) {}

  static sb::ConfigSchema schema() {
    return {{
        sb::field::string("sent_file", "Appends every executed command id").required(),
        sb::field::duration("delay", "Time each send takes", std::chrono::milliseconds(10)).range(0, 10'000),
    }};
  }

  sb::Status start() override { return {}; }
  void stop() override {}
  sb::Connector* asConnector() override { return this; }

  bool handlesAccount(const sb::TenantId& tenant, const sb::AccountId& account) const override {
    return account == "acct-" + tenant;
  }

  sb::Status execute(const sb::OutboundCommand& command) override {
    std::this_thread::sleep_for(ctx_.config()["delay"].asDuration());
    std::ofstream(ctx_.config()["sent_file"].asString(), std::ios::app) << command.commandId << "\n";
    sb::CommandResult r;
    r.commandId = command.commandId;
    r.tenant = command.tenant;
    r.account = command.account;
    r.stage = sb::ResultStage::Sent;
    r.networkId = "SLOW" + command.commandId;
    ctx_.inbound().result(r);
    return {};
  }

 private:
  sb::PluginContext& ctx_;
};

}  // namespace

SWITCHBOARD_PLUGIN(SlowConnector, "tenancy-slow-connector", "1.0.0")
