#pragma once
// Inline definitions of the toString() functions declared in types.hpp (the SDK is header-only).

namespace switchboard::sdk {

inline const char* toString(MessageKind k) {
  switch (k) {
    case MessageKind::Text: return "text";
    case MessageKind::Image: return "image";
    case MessageKind::Video: return "video";
    case MessageKind::Audio: return "audio";
    case MessageKind::Document: return "document";
    case MessageKind::Sticker: return "sticker";
    case MessageKind::Location: return "location";
    case MessageKind::ContactCard: return "contact";
    case MessageKind::Reaction: return "reaction";
    case MessageKind::Edit: return "edit";
    case MessageKind::Delete: return "delete";
    case MessageKind::Unknown: return "unknown";
  }
  return "unknown";
}

inline const char* toString(CommandKind k) {
  switch (k) {
    case CommandKind::SendText: return "send_text";
    case CommandKind::SendMedia: return "send_media";
    case CommandKind::SendTemplate: return "send_template";
    case CommandKind::SendReaction: return "send_reaction";
    case CommandKind::MarkRead: return "mark_read";
    case CommandKind::Assign: return "assign";
    case CommandKind::Transfer: return "transfer";
    case CommandKind::Close: return "close";
    case CommandKind::SetAgentStatus: return "set_agent_status";
    case CommandKind::EditMessage: return "edit_message";
    case CommandKind::DeleteMessage: return "delete_message";
  }
  return "unknown";
}

inline const char* toString(ResultStage s) {
  switch (s) {
    case ResultStage::Accepted: return "accepted";
    case ResultStage::Sent: return "sent";
    case ResultStage::Failed: return "failed";
    case ResultStage::Delivered: return "delivered";
    case ResultStage::Read: return "read";
  }
  return "unknown";
}

inline const char* toString(ConversationStatus s) {
  switch (s) {
    case ConversationStatus::Open: return "open";
    case ConversationStatus::Pending: return "pending";
    case ConversationStatus::Closed: return "closed";
  }
  return "unknown";
}

inline const char* toString(AgentStatus s) {
  switch (s) {
    case AgentStatus::Available: return "available";
    case AgentStatus::Busy: return "busy";
    case AgentStatus::Away: return "away";
    case AgentStatus::Offline: return "offline";
  }
  return "unknown";
}

}  // namespace switchboard::sdk
