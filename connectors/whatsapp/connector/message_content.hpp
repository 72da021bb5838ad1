#pragma once

// The decrypted WhatsApp `Message` protobuf as an SDK InboundMessage: text, quoted replies, media
// metadata, locations, contacts, reactions, edits and revokes. Protocol-only messages (history
// sync, key shares, sender key distribution alone) carry nothing for the pipeline.

#include <optional>
#include <string>

#include "switchboard/sdk/result.hpp"
#include "switchboard/sdk/types.hpp"
#include "switchboard/whatsapp/wire/e2e.pb.h"

namespace switchboard::whatsapp::connector {

/// Download details of a media message, kept for a later download (the key is secret).
struct MediaLocator {
  std::string mediaType;  ///< image, video, audio, document, sticker (the HKDF info name)
  std::string directPath, url;
  std::string mediaKey, fileEncSha256, fileSha256;  ///< raw bytes
};

struct ParsedContent {
  bool deliver = false;             ///< false: nothing user-visible (ack it and move on)
  bool sentByUs = false;            ///< a DeviceSentMessage from our own other device
  std::string destination;          ///< its destination chat
  std::optional<MediaLocator> media;
  const wire::Message* skdm = nullptr;  ///< the message carrying a sender key distribution, if any
};

/// Fills out.kind, text, media, location, contact, replyTo, targetId, reaction from message.
/// The message (and nested messages) must outlive the result's skdm pointer.
ParsedContent parseContent(const wire::Message& message, sdk::InboundMessage& out);

/// Parses the unpadded plaintext; a protobuf that does not parse is an error (nack 491).
sdk::Result<wire::Message> parseMessageBytes(const std::string& plaintext);

}  // namespace switchboard::whatsapp::connector
