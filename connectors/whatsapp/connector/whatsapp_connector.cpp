// The WhatsApp connector plugin: makes the daemon a linked device of each configured account.

#include "connector/session_manager.hpp"
#include "switchboard/sdk.hpp"

namespace sb = switchboard::sdk;
namespace wc = switchboard::whatsapp::connector;

namespace {

class WhatsAppConnector final : public sb::Plugin, public sb::Connector {
 public:
  explicit WhatsAppConnector(sb::PluginContext& ctx) : ctx_(ctx) {}

  static sb::ConfigSchema schema() { return wc::connectorSchema(); }

  sb::Status start() override {
    auto settings = wc::ConnectorSettings::parse(ctx_.config());
    if (!settings.ok()) {
      return settings.takeError();
    }
    manager_ = std::make_unique<wc::SessionManager>(ctx_, std::move(settings).value());
    return manager_->start();
  }

  void stop() override {
    if (manager_) {
      manager_->stop();
    }
  }

  sb::Connector* asConnector() override { return this; }

  bool handlesAccount(const sb::TenantId& tenant, const sb::AccountId& account) const override {
    return manager_ && manager_->handles(tenant, account);
  }

  sb::Status execute(const sb::OutboundCommand& command) override {
    if (!manager_) {
      return sb::Error::retriable("whatsapp.not_started", "the WhatsApp connector is not running");
    }
    return manager_->execute(command);
  }

 private:
  sb::PluginContext& ctx_;
  std::unique_ptr<wc::SessionManager> manager_;
};

}  // namespace

SWITCHBOARD_PLUGIN(WhatsAppConnector, "whatsapp", "0.1.0")
