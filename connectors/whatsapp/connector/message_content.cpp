#include "connector/message_content.hpp"

#include "protocol/bytes.hpp"

namespace switchboard::whatsapp::connector {

namespace {

using wire::Message;

// Wrappers that only change how a client shows the message; the content is inside.
const Message& unwrap(const Message& m) {
  const Message* cur = &m;
  for (int depth = 0; depth < 4; ++depth) {
    if (cur->has_ephemeral_message() && cur->ephemeral_message().has_message()) {
      cur = &cur->ephemeral_message().message();
    } else if (cur->has_view_once_message() && cur->view_once_message().has_message()) {
      cur = &cur->view_once_message().message();
    } else if (cur->has_view_once_message_v2() && cur->view_once_message_v2().has_message()) {
      cur = &cur->view_once_message_v2().message();
    } else if (cur->has_document_with_caption_message() && cur->document_with_caption_message().has_message()) {
      cur = &cur->document_with_caption_message().message();
    } else if (cur->has_edited_message() && cur->edited_message().has_message()) {
      cur = &cur->edited_message().message();
    } else {
      break;
    }
  }
  return *cur;
}

std::string hex(const std::string& bytes) { return toHex(asBytes(bytes)); }

template <typename M>
void replyOf(const M& m, sdk::InboundMessage& out) {
  if (m.has_context_info() && m.context_info().has_stanza_id()) {
    out.replyTo = m.context_info().stanza_id();
  }
}

template <typename M>
sdk::Media mediaOf(const M& m) {
  sdk::Media media;
  media.mimeType = m.mimetype();
  media.size = m.file_length();
  media.sha256Hex = hex(m.file_sha256());
  return media;
}

template <typename M>
MediaLocator locatorOf(const M& m, std::string type) {
  return {std::move(type), m.direct_path(), m.url(), m.media_key(), m.file_enc_sha256(), m.file_sha256()};
}

std::string textOf(const Message& m) {
  if (m.has_conversation()) {
    return m.conversation();
  }
  if (m.has_extended_text_message()) {
    return m.extended_text_message().text();
  }
  if (m.has_image_message()) {
    return m.image_message().caption();
  }
  if (m.has_video_message()) {
    return m.video_message().caption();
  }
  if (m.has_document_message()) {
    return m.document_message().caption();
  }
  return {};
}

}  // namespace

sdk::Result<wire::Message> parseMessageBytes(const std::string& plaintext) {
  wire::Message m;
  if (!m.ParseFromString(plaintext)) {
    return sdk::Error::permanent("whatsapp.message.unparsable", "the decrypted message is not a Message protobuf");
  }
  return m;
}

ParsedContent parseContent(const Message& message, sdk::InboundMessage& out) {
  ParsedContent r;
  const Message* top = &message;
  if (message.has_device_sent_message() && message.device_sent_message().has_message()) {
    r.sentByUs = true;
    r.destination = message.device_sent_message().destination_jid();
    top = &message.device_sent_message().message();
  }
  if (top->has_sender_key_distribution_message()) {
    r.skdm = top;
  }
  const Message& m = unwrap(*top);
  r.deliver = true;
  if (m.has_conversation()) {
    out.kind = sdk::MessageKind::Text;
    out.text = m.conversation();
  } else if (m.has_extended_text_message()) {
    out.kind = sdk::MessageKind::Text;
    out.text = m.extended_text_message().text();
    replyOf(m.extended_text_message(), out);
  } else if (m.has_image_message()) {
    const auto& x = m.image_message();
    out.kind = sdk::MessageKind::Image;
    out.media = mediaOf(x);
    out.media->caption = x.caption();
    out.media->width = x.width();
    out.media->height = x.height();
    r.media = locatorOf(x, "image");
    replyOf(x, out);
  } else if (m.has_video_message()) {
    const auto& x = m.video_message();
    out.kind = sdk::MessageKind::Video;
    out.media = mediaOf(x);
    out.media->caption = x.caption();
    out.media->width = x.width();
    out.media->height = x.height();
    out.media->durationSeconds = x.seconds();
    r.media = locatorOf(x, "video");
    replyOf(x, out);
  } else if (m.has_audio_message()) {
    const auto& x = m.audio_message();
    out.kind = sdk::MessageKind::Audio;
    out.media = mediaOf(x);
    out.media->durationSeconds = x.seconds();
    r.media = locatorOf(x, "audio");
    replyOf(x, out);
  } else if (m.has_document_message()) {
    const auto& x = m.document_message();
    out.kind = sdk::MessageKind::Document;
    out.media = mediaOf(x);
    out.media->caption = x.caption();
    out.media->fileName = x.file_name().empty() ? x.title() : x.file_name();
    r.media = locatorOf(x, "document");
    replyOf(x, out);
  } else if (m.has_sticker_message()) {
    const auto& x = m.sticker_message();
    out.kind = sdk::MessageKind::Sticker;
    out.media = mediaOf(x);
    out.media->width = x.width();
    out.media->height = x.height();
    r.media = locatorOf(x, "sticker");
    replyOf(x, out);
  } else if (m.has_location_message()) {
    const auto& x = m.location_message();
    out.kind = sdk::MessageKind::Location;
    out.location = sdk::Location{x.degrees_latitude(), x.degrees_longitude(), x.name(), x.address()};
    replyOf(x, out);
  } else if (m.has_contact_message()) {
    const auto& x = m.contact_message();
    out.kind = sdk::MessageKind::ContactCard;
    out.contact = sdk::ContactCard{x.display_name(), x.vcard()};
    replyOf(x, out);
  } else if (m.has_contacts_array_message()) {
    const auto& x = m.contacts_array_message();
    out.kind = sdk::MessageKind::ContactCard;
    sdk::ContactCard card;
    card.displayName = x.display_name();
    for (const auto& c : x.contacts()) {
      card.vcard += c.vcard();
      if (card.displayName.empty()) {
        card.displayName = c.display_name();
      }
    }
    out.contact = std::move(card);
    replyOf(x, out);
  } else if (m.has_reaction_message()) {
    const auto& x = m.reaction_message();
    out.kind = sdk::MessageKind::Reaction;
    out.targetId = x.key().id();
    out.reaction = x.text();
  } else if (m.has_protocol_message()) {
    const auto& p = m.protocol_message();
    if (p.type() == Message::ProtocolMessage::REVOKE) {
      out.kind = sdk::MessageKind::Delete;
      out.targetId = p.key().id();
    } else if (p.type() == Message::ProtocolMessage::MESSAGE_EDIT) {
      out.kind = sdk::MessageKind::Edit;
      out.targetId = p.key().id();
      out.text = textOf(unwrap(p.edited_message()));
    } else {
      r.deliver = false;  // history sync, app state keys, ephemeral settings: not for the pipeline
    }
  } else if (r.skdm != nullptr) {
    r.deliver = false;  // a sender key alone: it only prepares later group messages
  } else {
    out.kind = sdk::MessageKind::Unknown;
  }
  return r;
}

}  // namespace switchboard::whatsapp::connector
