// Sending: one endpoint that turns a request into an outbound command, stored through the normal
// outbound path exactly like a record on Kafka `outbound` (idempotent by command id; the result
// follows on `results` and as command.result events).

#include "admin/api_core.hpp"
#include "admin/api_routes.hpp"
#include "admin/command_waiter.hpp"
#include "admin/json_codec.hpp"
#include "admin/json_fields.hpp"

namespace switchboard::admin {
namespace {

http::Response send(Call& call) {
  auto body = call.body();
  if (!body) {
    return errorResponse(body.error());
  }
  JsonFields f(*body);
  f.only({"account", "to", "conversation", "text", "template", "params", "reply_to", "command_id"});
  auto account = f.string("account", false, 64);
  auto to = f.string("to", false, 256);
  auto conversation = f.string("conversation", false, 256);
  auto text = f.string("text", false, 64 * 1024);
  auto templ = f.string("template", false, 256);
  auto params = f.stringMap("params");
  auto replyTo = f.string("reply_to", false, 256);
  auto commandId = f.string("command_id", false, 128);
  if (f.ok() && !text && !templ) {
    f.fail("one of \"text\" or \"template\" is required");
  }
  if (f.ok() && text && templ) {
    f.fail("\"text\" and \"template\" exclude each other");
  }
  if (f.ok() && !to && !conversation) {
    f.fail("one of \"to\" or \"conversation\" is required");
  }
  if (!f.ok()) {
    return errorResponse(f.error());
  }
  sdk::OutboundCommand c;
  c.commandId = commandIdFor(commandId.value_or(call.request.header("Idempotency-Key")));
  c.tenant = call.tenant;
  c.kind = templ ? sdk::CommandKind::SendTemplate : sdk::CommandKind::SendText;
  c.to = to.value_or("");
  c.conversation = conversation.value_or("");
  c.text = text.value_or("");
  c.templateName = templ.value_or("");
  c.templateParams = params.value_or(std::map<std::string, std::string>{});
  c.replyTo = replyTo.value_or("");
  c.origin = "admin:" + call.who.name;
  c.createdAt = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                    .count();
  if (conversation) {
    // The conversation names the account; it must be this tenant's.
    auto conv = call.storage()->getConversation(*conversation);
    if (!conv) {
      return errorResponse(conv.error());
    }
    if (!conv.value()) {
      return notFound("conversation \"" + *conversation + "\"");
    }
    if (account && *account != conv.value()->account) {
      return http::Response::error(400, "invalid", "\"account\" differs from the conversation's account");
    }
    c.account = conv.value()->account;
  } else if (account) {
    c.account = *account;
  } else {
    return http::Response::error(400, "invalid", "\"account\" is required with \"to\"");
  }
  call.subject = c.commandId;
  call.detail = "account=" + c.account + (c.to.empty() ? "" : " to=" + c.to);
  if (auto refusal = call.core.tenantGuard().checkCommand(c)) {
    return *refusal;
  }
  auto done = submitCommand(call.services(), c, std::chrono::milliseconds(0));
  if (!done) {
    return errorResponse(done.error());
  }
  if (auto refusal = call.core.tenantGuard().refusedCommand(done->result)) {
    return *refusal;
  }
  return http::Response::json(202, toJson(done->result));
}

}  // namespace

void addMessageRoutes(ApiRoutes& routes) {
  routes.add("POST", "/v1/messages", Access::Operate, "message.send", send);
}

}  // namespace switchboard::admin
