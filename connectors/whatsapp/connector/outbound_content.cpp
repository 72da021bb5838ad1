#include "connector/outbound_content.hpp"

#include <chrono>

namespace switchboard::whatsapp::connector {

namespace {

bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// The fields every media message shares.
template <typename M>
void fillMedia(M& m, const sdk::Media& media, const OutboundMedia& up) {
  m.set_url(up.uploaded->url);
  m.set_direct_path(up.uploaded->directPath);
  m.set_mimetype(media.mimeType);
  m.set_media_key(std::string(asChars(up.encrypted->mediaKey)));
  m.set_file_sha256(std::string(asChars(up.encrypted->fileSha256)));
  m.set_file_enc_sha256(std::string(asChars(up.encrypted->fileEncSha256)));
  m.set_file_length(up.encrypted->fileLength);
  m.set_media_key_timestamp(up.keyTimestamp);
}

template <typename M>
void quote(M& m, const sdk::OutboundCommand& c, const std::string& chat) {
  if (!c.replyTo.empty()) {
    m.mutable_context_info()->set_stanza_id(c.replyTo);
    m.mutable_context_info()->set_participant(chat);
  }
}

}  // namespace

std::string mediaTypeForSend(const sdk::Media& media) {
  const std::string& mime = media.mimeType;
  if (mime == "image/webp" && media.caption.empty() && media.fileName.empty()) {
    return "sticker";
  }
  if (startsWith(mime, "image/")) {
    return "image";
  }
  if (startsWith(mime, "video/")) {
    return "video";
  }
  if (startsWith(mime, "audio/")) {
    return "audio";
  }
  return "document";
}

sdk::Result<wire::Message> outboundMessage(const sdk::OutboundCommand& c, const std::string& chat,
                                           const OutboundMedia* media) {
  wire::Message message;
  switch (c.kind) {
    case sdk::CommandKind::SendText:
      if (c.replyTo.empty()) {
        message.set_conversation(c.text);
      } else {
        auto* ext = message.mutable_extended_text_message();
        ext->set_text(c.text);
        quote(*ext, c, chat);
      }
      return message;
    case sdk::CommandKind::SendReaction: {
      if (c.targetId.empty()) {
        return sdk::Error::permanent("whatsapp.bad_command", "a reaction needs the id of the message it answers");
      }
      auto* r = message.mutable_reaction_message();
      r->mutable_key()->set_remote_jid(chat);
      r->mutable_key()->set_from_me(false);
      r->mutable_key()->set_id(c.targetId);
      r->set_text(c.reaction);
      r->set_sender_timestamp_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
      return message;
    }
    case sdk::CommandKind::EditMessage:
    case sdk::CommandKind::DeleteMessage: {
      if (c.targetId.empty()) {
        return sdk::Error::permanent("whatsapp.bad_command",
                                     std::string(sdk::toString(c.kind)) + " needs the id of the message it changes");
      }
      const bool isEdit = c.kind == sdk::CommandKind::EditMessage;
      if (isEdit && c.text.empty()) {
        return sdk::Error::permanent("whatsapp.bad_command", "edit_message needs the new text");
      }
      auto* p = message.mutable_protocol_message();
      p->mutable_key()->set_remote_jid(chat);
      p->mutable_key()->set_from_me(true);  // only our own messages are edited or deleted
      p->mutable_key()->set_id(c.targetId);
      p->set_type(isEdit ? wire::Message::ProtocolMessage::MESSAGE_EDIT : wire::Message::ProtocolMessage::REVOKE);
      if (isEdit) {
        p->mutable_edited_message()->set_conversation(c.text);
        p->set_timestamp_ms(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
      }
      return message;
    }
    case sdk::CommandKind::SendMedia: {
      if (!c.media || media == nullptr || media->encrypted == nullptr || media->uploaded == nullptr) {
        return sdk::Error::permanent("whatsapp.bad_command", "send_media without an uploaded file");
      }
      const sdk::Media& m = *c.media;
      const std::string& type = media->mediaType;
      if (type == "image") {
        auto* x = message.mutable_image_message();
        fillMedia(*x, m, *media);
        x->set_caption(m.caption.empty() ? c.text : m.caption);
        if (m.width > 0 && m.height > 0) {
          x->set_width(m.width);
          x->set_height(m.height);
        }
        quote(*x, c, chat);
      } else if (type == "video") {
        auto* x = message.mutable_video_message();
        fillMedia(*x, m, *media);
        x->set_caption(m.caption.empty() ? c.text : m.caption);
        x->set_seconds(m.durationSeconds);
        quote(*x, c, chat);
      } else if (type == "audio") {
        auto* x = message.mutable_audio_message();
        fillMedia(*x, m, *media);
        x->set_seconds(m.durationSeconds);
        quote(*x, c, chat);
      } else if (type == "sticker") {
        auto* x = message.mutable_sticker_message();
        fillMedia(*x, m, *media);
        quote(*x, c, chat);
      } else {
        auto* x = message.mutable_document_message();
        fillMedia(*x, m, *media);
        const std::string name = m.fileName.empty() ? "file" : m.fileName;
        x->set_file_name(name);
        x->set_title(name);
        if (!m.caption.empty() || !c.text.empty()) {
          x->set_caption(m.caption.empty() ? c.text : m.caption);
        }
        quote(*x, c, chat);
      }
      return message;
    }
    default:
      return sdk::Error::permanent("whatsapp.unsupported",
                                   std::string(sdk::toString(c.kind)) + " is not a message this connector sends");
  }
}

std::string stanzaTypeOf(const wire::Message& m) {
  if (m.has_reaction_message()) {
    return "reaction";
  }
  return encMediaTypeOf(m).empty() ? "text" : "media";
}

std::string editAttributeOf(const wire::Message& m) {
  if (!m.has_protocol_message()) {
    return {};
  }
  switch (m.protocol_message().type()) {
    case wire::Message::ProtocolMessage::MESSAGE_EDIT: return "1";
    case wire::Message::ProtocolMessage::REVOKE: return "7";  // the sender's own revoke (8 is a group admin's)
    default: return {};
  }
}

std::string encMediaTypeOf(const wire::Message& m) {
  if (m.has_image_message()) {
    return "image";
  }
  if (m.has_video_message()) {
    return "video";
  }
  if (m.has_audio_message()) {
    return m.audio_message().ptt() ? "ptt" : "audio";
  }
  if (m.has_document_message()) {
    return "document";
  }
  if (m.has_sticker_message()) {
    return "sticker";
  }
  return {};
}

}  // namespace switchboard::whatsapp::connector
