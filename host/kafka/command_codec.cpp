// Commands from `outbound`: parsing either wire format, and validation that names the field.

#include <google/protobuf/util/time_util.h>

#include "kafka/envelope.hpp"
#include "switchboard/v1/envelope.pb.h"

namespace switchboard::host {
namespace {

using google::protobuf::util::TimeUtil;

constexpr std::size_t kMaxIdLength = 128;
constexpr std::size_t kMaxTextLength = 65536;

sdk::Error invalid(const std::string& field, const std::string& what) {
  return sdk::Error::permanent("command.invalid", field + ": " + what);
}

sdk::Status requireNonEmpty(const std::string& value, const std::string& field) {
  if (value.empty()) {
    return invalid(field, "required");
  }
  return sdk::okStatus();
}

// A send needs somebody to send to: an explicit recipient or a known conversation.
sdk::Status requireRecipient(const std::string& to, const v1::OutboundCommand& c, const std::string& action) {
  if (to.empty() && c.conversation().empty()) {
    return invalid("command." + action + ".to", "required (or command.conversation)");
  }
  return sdk::okStatus();
}

const char* agentStatusName(v1::AgentStatus s) {
  switch (s) {
    case v1::AGENT_STATUS_AVAILABLE: return "available";
    case v1::AGENT_STATUS_BUSY: return "busy";
    case v1::AGENT_STATUS_AWAY: return "away";
    case v1::AGENT_STATUS_OFFLINE: return "offline";
    default: return "";
  }
}

v1::AgentStatus agentStatusOf(const std::string& s) {
  if (s == "available") return v1::AGENT_STATUS_AVAILABLE;
  if (s == "busy") return v1::AGENT_STATUS_BUSY;
  if (s == "away") return v1::AGENT_STATUS_AWAY;
  if (s == "offline") return v1::AGENT_STATUS_OFFLINE;
  return v1::AGENT_STATUS_UNSPECIFIED;
}

sdk::Media mediaOf(const v1::Media& in) {
  sdk::Media m;
  m.mimeType = in.mime_type();
  m.ref = in.ref();
  m.fileName = in.file_name();
  m.caption = in.caption();
  m.size = in.size();
  m.sha256Hex = in.sha256_hex();
  m.width = in.width();
  m.height = in.height();
  m.durationSeconds = in.duration_seconds();
  return m;
}

sdk::Result<sdk::OutboundCommand> convert(const v1::OutboundCommand& c) {
  sdk::OutboundCommand out;
  SB_TRY(requireNonEmpty(c.command_id(), "command.command_id"));
  if (c.command_id().size() > kMaxIdLength) {
    return invalid("command.command_id", "longer than 128 bytes");
  }
  out.commandId = c.command_id();
  out.tenant = c.tenant().empty() ? sdk::kDefaultTenant : c.tenant();
  out.account = c.account();
  out.conversation = c.conversation();
  out.automatic = c.automatic();
  out.origin = c.origin();
  out.createdAt = c.has_created_at() ? TimeUtil::TimestampToMilliseconds(c.created_at()) : 0;

  if (c.action_case() != v1::OutboundCommand::kSetAgentStatus) {
    SB_TRY(requireNonEmpty(c.account(), "command.account"));
  }
  switch (c.action_case()) {
    case v1::OutboundCommand::kSendText: {
      const auto& a = c.send_text();
      SB_TRY(requireRecipient(a.to(), c, "send_text"));
      SB_TRY(requireNonEmpty(a.text(), "command.send_text.text"));
      if (a.text().size() > kMaxTextLength) {
        return invalid("command.send_text.text", "longer than 65536 bytes");
      }
      out.kind = sdk::CommandKind::SendText;
      out.to = a.to();
      out.text = a.text();
      out.replyTo = a.reply_to();
      break;
    }
    case v1::OutboundCommand::kSendMedia: {
      const auto& a = c.send_media();
      SB_TRY(requireRecipient(a.to(), c, "send_media"));
      if (!a.has_media()) {
        return invalid("command.send_media.media", "required");
      }
      SB_TRY(requireNonEmpty(a.media().ref(), "command.send_media.media.ref"));
      SB_TRY(requireNonEmpty(a.media().mime_type(), "command.send_media.media.mime_type"));
      out.kind = sdk::CommandKind::SendMedia;
      out.to = a.to();
      out.media = mediaOf(a.media());
      out.text = a.media().caption();
      out.replyTo = a.reply_to();
      break;
    }
    case v1::OutboundCommand::kSendTemplate: {
      const auto& a = c.send_template();
      SB_TRY(requireRecipient(a.to(), c, "send_template"));
      SB_TRY(requireNonEmpty(a.name(), "command.send_template.name"));
      out.kind = sdk::CommandKind::SendTemplate;
      out.to = a.to();
      out.templateName = a.name();
      for (const auto& [k, v] : a.params()) {
        out.templateParams[k] = v;
      }
      if (!a.language().empty()) {
        out.templateParams["_language"] = a.language();
      }
      break;
    }
    case v1::OutboundCommand::kSendReaction: {
      const auto& a = c.send_reaction();
      SB_TRY(requireRecipient(a.to(), c, "send_reaction"));
      SB_TRY(requireNonEmpty(a.target_id(), "command.send_reaction.target_id"));
      out.kind = sdk::CommandKind::SendReaction;
      out.to = a.to();
      out.targetId = a.target_id();
      out.reaction = a.emoji();
      break;
    }
    case v1::OutboundCommand::kMarkRead: {
      const auto& a = c.mark_read();
      SB_TRY(requireRecipient(a.to(), c, "mark_read"));
      SB_TRY(requireNonEmpty(a.target_id(), "command.mark_read.target_id"));
      out.kind = sdk::CommandKind::MarkRead;
      out.to = a.to();
      out.targetId = a.target_id();
      break;
    }
    case v1::OutboundCommand::kEditMessage: {
      const auto& a = c.edit_message();
      SB_TRY(requireRecipient(a.to(), c, "edit_message"));
      SB_TRY(requireNonEmpty(a.target_id(), "command.edit_message.target_id"));
      SB_TRY(requireNonEmpty(a.text(), "command.edit_message.text"));
      out.kind = sdk::CommandKind::EditMessage;
      out.to = a.to();
      out.targetId = a.target_id();
      out.text = a.text();
      break;
    }
    case v1::OutboundCommand::kDeleteMessage: {
      const auto& a = c.delete_message();
      SB_TRY(requireRecipient(a.to(), c, "delete_message"));
      SB_TRY(requireNonEmpty(a.target_id(), "command.delete_message.target_id"));
      out.kind = sdk::CommandKind::DeleteMessage;
      out.to = a.to();
      out.targetId = a.target_id();
      break;
    }
    case v1::OutboundCommand::kAssign:
      SB_TRY(requireNonEmpty(c.conversation(), "command.conversation"));
      SB_TRY(requireNonEmpty(c.assign().agent(), "command.assign.agent"));
      out.kind = sdk::CommandKind::Assign;
      out.agent = c.assign().agent();
      break;
    case v1::OutboundCommand::kTransfer:
      SB_TRY(requireNonEmpty(c.conversation(), "command.conversation"));
      SB_TRY(requireNonEmpty(c.transfer().agent(), "command.transfer.agent"));
      out.kind = sdk::CommandKind::Transfer;
      out.agent = c.transfer().agent();
      out.text = c.transfer().note();
      break;
    case v1::OutboundCommand::kClose:
      SB_TRY(requireNonEmpty(c.conversation(), "command.conversation"));
      out.kind = sdk::CommandKind::Close;
      out.text = c.close().note();
      break;
    case v1::OutboundCommand::kSetAgentStatus: {
      SB_TRY(requireNonEmpty(c.set_agent_status().agent(), "command.set_agent_status.agent"));
      const char* status = agentStatusName(c.set_agent_status().status());
      if (*status == '\0') {
        return invalid("command.set_agent_status.status", "required (available, busy, away or offline)");
      }
      out.kind = sdk::CommandKind::SetAgentStatus;
      out.agent = c.set_agent_status().agent();
      out.agentStatus = status;
      break;
    }
    case v1::OutboundCommand::ACTION_NOT_SET:
      return invalid("command.action",
                     "one of send_text, send_media, send_template, send_reaction, mark_read, edit_message, "
                     "delete_message, assign, transfer, close, set_agent_status is required");
  }
  return out;
}

}  // namespace

void toProto(const sdk::OutboundCommand& in, v1::Envelope& out) {
  out.set_id(in.commandId);
  out.set_type(cetype::kCommand);
  out.set_tenant(in.tenant);
  out.set_account(in.account);
  out.set_conversation(in.conversation);
  out.set_schema_version("switchboard.v1");
  auto* c = out.mutable_command();
  c->set_command_id(in.commandId);
  c->set_tenant(in.tenant);
  c->set_account(in.account);
  c->set_conversation(in.conversation);
  c->set_automatic(in.automatic);
  c->set_origin(in.origin);
  if (in.createdAt != 0) {
    *c->mutable_created_at() = TimeUtil::MillisecondsToTimestamp(in.createdAt);
  }
  switch (in.kind) {
    case sdk::CommandKind::SendText:
      c->mutable_send_text()->set_to(in.to);
      c->mutable_send_text()->set_text(in.text);
      c->mutable_send_text()->set_reply_to(in.replyTo);
      break;
    case sdk::CommandKind::SendMedia: {
      auto* a = c->mutable_send_media();
      a->set_to(in.to);
      a->set_reply_to(in.replyTo);
      if (in.media) {
        auto* m = a->mutable_media();
        m->set_mime_type(in.media->mimeType);
        m->set_ref(in.media->ref);
        m->set_file_name(in.media->fileName);
        m->set_caption(in.media->caption);
        m->set_size(in.media->size);
        m->set_sha256_hex(in.media->sha256Hex);
        m->set_width(in.media->width);
        m->set_height(in.media->height);
        m->set_duration_seconds(in.media->durationSeconds);
      }
      break;
    }
    case sdk::CommandKind::SendTemplate: {
      auto* a = c->mutable_send_template();
      a->set_to(in.to);
      a->set_name(in.templateName);
      for (const auto& [k, v] : in.templateParams) {
        if (k == "_language") {
          a->set_language(v);
        } else {
          (*a->mutable_params())[k] = v;
        }
      }
      break;
    }
    case sdk::CommandKind::SendReaction:
      c->mutable_send_reaction()->set_to(in.to);
      c->mutable_send_reaction()->set_target_id(in.targetId);
      c->mutable_send_reaction()->set_emoji(in.reaction);
      break;
    case sdk::CommandKind::MarkRead:
      c->mutable_mark_read()->set_to(in.to);
      c->mutable_mark_read()->set_target_id(in.targetId);
      break;
    case sdk::CommandKind::EditMessage:
      c->mutable_edit_message()->set_to(in.to);
      c->mutable_edit_message()->set_target_id(in.targetId);
      c->mutable_edit_message()->set_text(in.text);
      break;
    case sdk::CommandKind::DeleteMessage:
      c->mutable_delete_message()->set_to(in.to);
      c->mutable_delete_message()->set_target_id(in.targetId);
      break;
    case sdk::CommandKind::Assign:
      c->mutable_assign()->set_agent(in.agent);
      break;
    case sdk::CommandKind::Transfer:
      c->mutable_transfer()->set_agent(in.agent);
      c->mutable_transfer()->set_note(in.text);
      break;
    case sdk::CommandKind::Close:
      c->mutable_close()->set_note(in.text);
      break;
    case sdk::CommandKind::SetAgentStatus:
      c->mutable_set_agent_status()->set_agent(in.agent);
      c->mutable_set_agent_status()->set_status(agentStatusOf(in.agentStatus));
      break;
  }
}

std::string encodeCommand(const sdk::OutboundCommand& command, Format format) {
  v1::Envelope env;
  toProto(command, env);
  std::string bytes;
  env.SerializeToString(&bytes);
  if (format == Format::Protobuf) {
    return bytes;
  }
  auto json = toWire(bytes, Format::Json);
  return json.ok() ? json.value() : std::string();
}

sdk::Result<sdk::OutboundCommand> parseCommand(std::string_view bytes, Format format) {
  if (bytes.empty()) {
    return sdk::Error::permanent("command.malformed", "empty record value");
  }
  v1::Envelope env;
  SB_TRY(fromWire(bytes, format, env));
  if (env.body_case() != v1::Envelope::kCommand) {
    return sdk::Error::permanent("command.invalid", "command: required (the Envelope body must be `command`)");
  }
  return convert(env.command());
}

}  // namespace switchboard::host
