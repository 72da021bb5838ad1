// A test connector for two (or more) accounts that face each other: whatever one account sends to
// another account it runs is received by that account at once, as a machine on the other end
// would answer. With an auto-responder on both sides this is the setting of a bot loop.

#include <fstream>

#include "switchboard/sdk.hpp"

namespace sb = switchboard::sdk;

namespace {

class CrossoverConnector final : public sb::Plugin, public sb::Connector {
 public:
  explicit CrossoverConnector(sb::PluginContext& ctx) : ctx_(ctx) {}

  static sb::ConfigSchema schema() {
    return {{
        sb::field::stringList("accounts", "Accounts run by this connector").required(),
        sb::field::string("sent_file", "Appends every executed command", std::string("")),
    }};
  }

  sb::Status start() override { return {}; }
  void stop() override {}
  sb::Connector* asConnector() override { return this; }

  bool handlesAccount(const sb::TenantId&, const sb::AccountId& account) const override { return runs(account); }

  sb::Status execute(const sb::OutboundCommand& command) override {
    if (const auto& path = ctx_.config()["sent_file"].asString(); !path.empty()) {
      std::ofstream(path, std::ios::app) << command.commandId << "\t" << command.account << "\t" << command.to << "\t"
                                         << command.text << "\n";
    }
    sb::CommandResult r;
    r.commandId = command.commandId;
    r.tenant = command.tenant;
    r.account = command.account;
    r.stage = sb::ResultStage::Sent;
    r.networkId = "X" + std::to_string(++sent_);
    ctx_.inbound().result(r);
    const auto peer = command.to.substr(0, command.to.find('@'));
    if (runs(peer)) {
      sb::InboundMessage m;
      m.tenant = command.tenant;
      m.account = peer;
      m.networkId = "XO" + r.networkId;
      m.chat = command.account + "@s.whatsapp.net";
      m.sender = m.chat;
      m.senderName = "Bot " + command.account;
      m.timestamp = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
      m.text = command.text;
      (void)ctx_.inbound().deliver(std::move(m), [](sb::Status) {});
    }
    return {};
  }

 private:
  bool runs(const std::string& account) const {
    for (const auto& a : ctx_.config()["accounts"].asList()) {
      if (a.asString() == account) {
        return true;
      }
    }
    return false;
  }

  sb::PluginContext& ctx_;
  int sent_ = 0;
};

}  // namespace

SWITCHBOARD_PLUGIN(CrossoverConnector, "test-crossover", "1.0.0")
