// The loopback connector: no network behind it. It "receives" messages it generates itself at a
// configured rate and "sends" commands by appending them to a file, so the whole pipeline (storage,
// plugins, Kafka) can be tried, load-tested and tested without WhatsApp. Tests use its files to
// check that nothing acknowledged was lost.

#include <fstream>
#include <mutex>

#include <boost/asio/steady_timer.hpp>

#include "switchboard/sdk.hpp"

namespace sb = switchboard::sdk;

namespace {

void appendLine(const std::string& path, const std::string& line) {
  if (path.empty()) {
    return;
  }
  std::ofstream out(path, std::ios::app);
  out << line << "\n";
  out.flush();
}

class LoopbackConnector final : public sb::Plugin, public sb::Connector {
 public:
  explicit LoopbackConnector(sb::PluginContext& ctx) : ctx_(ctx), timer_(ctx.executor()) {}

  static sb::ConfigSchema schema() {
    using namespace std::chrono_literals;
    return {{
        sb::field::string("account", "Account this connector runs").required(),
        sb::field::string("tenant", "Tenant of the account", std::string("default")),
        sb::field::integer("rate", "Messages generated per tick (0: none)", 0).range(0, 100000),
        sb::field::duration("tick", "Interval between generated batches", 10ms).range(1, 60000),
        sb::field::string("lifecycle_file", "Appends 'start NAME' / 'stop NAME'", std::string("")),
        sb::field::string("acked_file", "Appends the id of every message the pipeline acknowledged", std::string("")),
        sb::field::string("sent_file", "Appends every executed command", std::string("")),
        sb::field::string("marker", "Free text, changed by tests to force a restart", std::string("")),
        sb::field::string("text", "Body of generated messages; {n} is replaced by the sequence number",
                          std::string("hello {n}")),
    }};
  }

  sb::Status start() override {
    appendLine(ctx_.config()["lifecycle_file"].asString(), "start " + ctx_.instanceName());
    ctx_.logger().info("loopback connector started account=" + ctx_.config()["account"].asString());
    if (ctx_.config()["rate"].asInt() > 0) {
      schedule();
    }
    return {};
  }

  void stop() override {
    stopped_ = true;
    timer_.cancel();
    appendLine(ctx_.config()["lifecycle_file"].asString(), "stop " + ctx_.instanceName());
  }

  sb::Connector* asConnector() override { return this; }

  bool handlesAccount(const sb::TenantId& tenant, const sb::AccountId& account) const override {
    return tenant == ctx_.config()["tenant"].asString() && account == ctx_.config()["account"].asString();
  }

  sb::Status execute(const sb::OutboundCommand& command) override {
    appendLine(ctx_.config()["sent_file"].asString(),
               command.commandId + "\t" + sb::toString(command.kind) + "\t" + command.to + "\t" + command.text);
    sb::CommandResult r;
    r.commandId = command.commandId;
    r.tenant = command.tenant;
    r.account = command.account;
    r.stage = sb::ResultStage::Sent;
    r.networkId = "LB" + command.commandId;
    ctx_.inbound().result(r);
    return {};
  }

 private:
  void schedule() {
    timer_.expires_after(ctx_.config()["tick"].asDuration());
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopped_) {
        return;
      }
      generate();
      schedule();
    });
  }

  void generate() {
    const auto n = ctx_.config()["rate"].asInt();
    for (std::int64_t i = 0; i < n; ++i) {
      sb::InboundMessage m;
      m.tenant = ctx_.config()["tenant"].asString();
      m.account = ctx_.config()["account"].asString();
      m.networkId = ctx_.instanceName() + "-" + std::to_string(next_);
      m.chat = "1555000" + std::to_string(next_ % 50) + "@s.whatsapp.net";
      m.sender = m.chat;
      m.senderName = "Customer " + std::to_string(next_ % 50);
      m.timestamp = static_cast<sb::TimestampMs>(
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count());
      m.text = ctx_.config()["text"].asString();
      if (auto pos = m.text.find("{n}"); pos != std::string::npos) {
        m.text.replace(pos, 3, std::to_string(next_));
      }
      const auto id = m.networkId;
      auto s = ctx_.inbound().deliver(std::move(m), [path = ctx_.config()["acked_file"].asString(), id](sb::Status st) {
        if (st.ok()) {
          appendLine(path, id);  // the point where a real connector acks to the network
        }
      });
      if (!s.ok()) {
        return;  // backpressure: the "network" keeps it and we retry this id next tick
      }
      ++next_;
    }
  }

  sb::PluginContext& ctx_;
  boost::asio::steady_timer timer_;
  std::uint64_t next_ = 0;
  bool stopped_ = false;
};

}  // namespace

SWITCHBOARD_PLUGIN(LoopbackConnector, "loopback", "1.0.0")
