#pragma once

// What a send command becomes on the wire: the E2E `Message` (text, reply, media with its upload
// details, reaction, edit, delete), the stanza `type` and the `mediatype` of its <enc> (protocol notes 7.1, 9.4).

#include <string>

#include "connector/media_conn.hpp"
#include "connector/media_crypto.hpp"
#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"
#include "switchboard/whatsapp/wire/e2e.pb.h"

namespace switchboard::whatsapp::connector {

/// The media type a command's file is sent as, from its MIME type and the command's hint:
/// image/webp as a sticker only when the kind says so; image/*, video/*, audio/*; else document.
std::string mediaTypeForSend(const sdk::Media& media);

/// An uploaded file for the message.
struct OutboundMedia {
  std::string mediaType;
  const EncryptedMedia* encrypted = nullptr;
  const UploadedMedia* uploaded = nullptr;
  std::int64_t keyTimestamp = 0;  ///< unix seconds
};

/// The Message of a SendText, SendMedia (with `media`), SendReaction, EditMessage or DeleteMessage
/// command to `chat` (an edit or delete is a protocol message naming our own message).
sdk::Result<wire::Message> outboundMessage(const sdk::OutboundCommand& command, const std::string& chat,
                                           const OutboundMedia* media);

/// `type` of the <message> stanza: reaction, media or text.
std::string stanzaTypeOf(const wire::Message& message);
/// `edit` attribute of the <message> stanza: "1" for an edit, "7" for a sender's delete, else empty.
std::string editAttributeOf(const wire::Message& message);
/// `mediatype` of the <enc> elements, empty for non-media messages.
std::string encMediaTypeOf(const wire::Message& message);

}  // namespace switchboard::whatsapp::connector
