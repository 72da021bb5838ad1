// The WhatsApp connector plugin: makes the daemon a linked device of each configured account, and
// of accounts operators add at runtime (sdk::SessionControl: admin API, sbctl, console).

#include "connector/session_manager.hpp"
#include "switchboard/sdk.hpp"
#include "switchboard/sdk/account_placement.hpp"
#include "switchboard/sdk/session_control.hpp"

namespace sb = switchboard::sdk;
namespace wc = switchboard::whatsapp::connector;

namespace {

// The host's admin API gives a session call 5 s; the pairing code must be back before that.
constexpr std::chrono::milliseconds kPairingCodeWait{4000};

class WhatsAppConnector final : public sb::Plugin,
                                public sb::Connector,
                                public sb::SessionControl,
                                public sb::AccountPlacement {
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

  // sdk::SessionControl (on the plugin's strand; the sessions run on the connector's own threads).
  sb::Result<std::vector<sb::SessionStatus>> listSessions(const sb::TenantId& tenant) override {
    SB_TRY(running());
    return manager_->listSessions(tenant);
  }

  sb::Result<sb::SessionStatus> createSession(const sb::TenantId& tenant, const sb::AccountId& account,
                                              const std::string& name) override {
    SB_TRY(running());
    return manager_->createSession(tenant, account, name);
  }

  sb::Result<sb::SessionStatus> sessionStatus(const sb::TenantId& tenant, const sb::AccountId& account) override {
    SB_TRY(running());
    return manager_->sessionStatus(tenant, account);
  }

  sb::Result<sb::PairingQr> pairingQr(const sb::TenantId& tenant, const sb::AccountId& account) override {
    SB_TRY(running());
    return manager_->pairingQr(tenant, account);
  }

  sb::Result<std::string> requestPairingCode(const sb::TenantId& tenant, const sb::AccountId& account,
                                             const std::string& phone) override {
    SB_TRY(running());
    return manager_->requestPairingCode(tenant, account, phone, kPairingCodeWait);
  }

  sb::Status logout(const sb::TenantId& tenant, const sb::AccountId& account) override {
    SB_TRY(running());
    return manager_->logout(tenant, account);
  }

  // sdk::AccountPlacement (on the plugin's strand): several daemons share the accounts.
  sb::Status runAccount(const sb::TenantId& tenant, const sb::AccountId& account) override {
    SB_TRY(running());
    return manager_->runAccount(tenant, account);
  }

  sb::Status releaseAccount(const sb::TenantId& tenant, const sb::AccountId& account,
                            std::chrono::milliseconds deadline) override {
    SB_TRY(running());
    return manager_->releaseAccount(tenant, account, deadline);
  }

 private:
  sb::Status running() const {
    if (!manager_) {
      return sb::Error::retriable("whatsapp.not_started", "the WhatsApp connector is not running");
    }
    return sb::okStatus();
  }

  sb::PluginContext& ctx_;
  std::unique_ptr<wc::SessionManager> manager_;
};

}  // namespace

SWITCHBOARD_PLUGIN(WhatsAppConnector, "whatsapp", "0.1.0")
