// A connector plugin for tests of the admin API and sbctl: runs in-memory "sessions" with
// sdk::SessionControl (pairing by QR or code, logout) and "sends" by reporting each command sent.
// With `link_after_ms` > 0, a session whose QR code was fetched becomes connected that long after,
// as if a phone had scanned it.

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <map>
#include <memory>

#include "switchboard/sdk.hpp"
#include "switchboard/sdk/session_control.hpp"

namespace sb = switchboard::sdk;

namespace {

sb::TimestampMs nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class FakeSessions final : public sb::Plugin, public sb::Connector, public sb::SessionControl {
 public:
  explicit FakeSessions(sb::PluginContext& ctx)
      : ctx_(ctx), linkAfter_(ctx.config()["link_after_ms"].asInt()), tenant_(ctx.config()["tenant"].asString()) {
    for (const auto& v : ctx.config()["linked"].asList()) {
      auto& s = sessions_[v.asString()];
      s.tenant = tenant_;
      s.account = v.asString();
      s.state = "connected";
      s.jid = v.asString() + ":1@s.whatsapp.net";
      s.since = nowMs();
    }
  }

  static sb::ConfigSchema schema() {
    return {{
        sb::field::integer("link_after_ms", "Link a pairing session this long after its QR was fetched (0: never)", 0),
        sb::field::string("tenant", "Tenant of the sessions listed in `linked`", std::string("default")),
        sb::field::stringList("linked", "Accounts connected from the start"),
    }};
  }

  sb::Status start() override { return {}; }
  void stop() override { timers_.clear(); }
  sb::Connector* asConnector() override { return this; }

  bool handlesAccount(const sb::TenantId& tenant, const sb::AccountId& account) const override {
    auto it = sessions_.find(account);
    return it != sessions_.end() && it->second.tenant == tenant;
  }

  sb::Status execute(const sb::OutboundCommand& c) override {
    sb::CommandResult r;
    r.commandId = c.commandId;
    r.tenant = c.tenant;
    r.account = c.account;
    r.stage = sb::ResultStage::Sent;
    r.networkId = "FAKE" + c.commandId;
    r.timestamp = nowMs();
    ctx_.inbound().result(r);
    return {};
  }

  sb::Result<std::vector<sb::SessionStatus>> listSessions(const sb::TenantId& tenant) override {
    std::vector<sb::SessionStatus> out;
    for (const auto& [id, s] : sessions_) {
      if (s.tenant == tenant) {
        out.push_back(s);
      }
    }
    return out;
  }

  sb::Result<sb::SessionStatus> createSession(const sb::TenantId& tenant, const sb::AccountId& account,
                                              const std::string& name) override {
    auto it = sessions_.find(account);
    if (it != sessions_.end()) {
      if (it->second.tenant != tenant) {
        return sb::Error::permanent("session.exists_elsewhere", "account " + account + " is another tenant's");
      }
      return it->second;
    }
    auto& s = sessions_[account];
    s.tenant = tenant;
    s.account = account;
    s.pushName = name;
    s.state = "pairing";
    s.since = nowMs();
    return s;
  }

  sb::Result<sb::SessionStatus> sessionStatus(const sb::TenantId& tenant, const sb::AccountId& account) override {
    auto it = sessions_.find(account);
    if (it == sessions_.end() || it->second.tenant != tenant) {
      return sb::Error::permanent("session.not_found", "no session " + account);
    }
    return it->second;
  }

  sb::Result<sb::PairingQr> pairingQr(const sb::TenantId& tenant, const sb::AccountId& account) override {
    auto status = sessionStatus(tenant, account);
    if (!status.ok()) {
      return status.takeError();
    }
    if (status->state != "pairing") {
      return sb::Error::permanent("session.not_pairing", "session " + account + " is " + status->state);
    }
    if (linkAfter_ > 0 && timers_.find(account) == timers_.end()) {
      auto timer = std::make_shared<boost::asio::steady_timer>(ctx_.executor(), std::chrono::milliseconds(linkAfter_));
      timer->async_wait([this, account, timer](const boost::system::error_code& ec) {
        if (!ec) {
          link(account);
        }
      });
      timers_[account] = timer;
    }
    return sb::PairingQr{"2@fakeref" + account + ",noisekey,identitykey,advsecret", nowMs() + 20000};
  }

  sb::Result<std::string> requestPairingCode(const sb::TenantId& tenant, const sb::AccountId& account,
                                             const std::string& phone) override {
    auto status = sessionStatus(tenant, account);
    if (!status.ok()) {
      return status.takeError();
    }
    if (status->state != "pairing") {
      return sb::Error::permanent("session.not_pairing", "session " + account + " is " + status->state);
    }
    return std::string("FAKE") + phone.substr(phone.size() > 4 ? phone.size() - 4 : 0);
  }

  sb::Status logout(const sb::TenantId& tenant, const sb::AccountId& account) override {
    auto status = sessionStatus(tenant, account);
    if (!status.ok()) {
      return status.takeError();
    }
    auto& s = sessions_[account];
    s.state = "logged_out";
    s.jid.clear();
    s.since = nowMs();
    announce(s);
    return {};
  }

 private:
  void link(const std::string& account) {
    auto& s = sessions_[account];
    if (s.state != "pairing") {
      return;
    }
    s.state = "connected";
    s.jid = account + ":7@s.whatsapp.net";
    s.since = nowMs();
    announce(s);
  }

  void announce(const sb::SessionStatus& s) {
    sb::Event e;
    e.type = "session.state";
    e.tenant = s.tenant;
    e.account = s.account;
    e.subject = s.account;
    e.attributes = {{"state", s.state}};
    e.timestamp = nowMs();
    ctx_.events().publish(e);
  }

  sb::PluginContext& ctx_;
  std::int64_t linkAfter_;
  std::string tenant_;
  std::map<std::string, sb::SessionStatus> sessions_;
  std::map<std::string, std::shared_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace

SWITCHBOARD_PLUGIN(FakeSessions, "fake-sessions", "0.1.0")
