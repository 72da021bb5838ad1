// Echo responder: the smallest useful plugin. It answers every message that starts with a trigger
// word by sending the rest back, through the normal outbound path.

#include <string>

#include "switchboard/sdk.hpp"

namespace sb = switchboard::sdk;

namespace {

class EchoResponder final : public sb::Plugin, public sb::Responder {
 public:
  explicit EchoResponder(sb::PluginContext& ctx)
      : ctx_(ctx),
        trigger_(ctx.config()["trigger"].asString()),
        prefix_(ctx.config()["reply_prefix"].asString()),
        replies_(ctx.metrics().counter("echo_replies_total", "Echo replies sent")) {}

  // The keys this plugin accepts under `config:`; the host rejects anything else.
  static sb::ConfigSchema schema() {
    return {{
        sb::field::string("trigger", "Messages starting with this word are echoed", std::string("echo ")),
        sb::field::string("reply_prefix", "Text put before the echoed words", std::string("you said: ")),
    }};
  }

  sb::Status start() override {
    ctx_.logger().info("echo responder started trigger=\"" + trigger_ + "\"");
    return {};
  }
  void stop() override { ctx_.logger().info("echo responder stopped"); }

  sb::Responder* asResponder() override { return this; }

  sb::Status onInbound(const sb::InboundMessage& message, const sb::Conversation& conversation) override {
    if (message.fromMe || message.text.rfind(trigger_, 0) != 0) {
      return {};
    }
    sb::OutboundCommand reply;
    reply.commandId = "echo:" + message.id;  // stable: a redelivered message never gets two replies
    reply.tenant = message.tenant;
    reply.account = message.account;
    reply.kind = sb::CommandKind::SendText;
    reply.to = message.chat;
    reply.conversation = conversation.id;
    reply.replyTo = message.networkId;
    reply.text = prefix_ + message.text.substr(trigger_.size());
    reply.automatic = true;
    reply.origin = ctx_.instanceName();
    auto result = ctx_.outbound().submit(reply);
    if (!result.ok()) {
      return result.takeError();
    }
    replies_.inc();
    return {};
  }

 private:
  sb::PluginContext& ctx_;
  std::string trigger_;
  std::string prefix_;
  sb::Counter& replies_;
};

}  // namespace

SWITCHBOARD_PLUGIN(EchoResponder, "echo", "1.0.0")
