// Media: a received file is downloaded from the media hosts, checked (encrypted hash, MAC, plain
// hash), decrypted and written under media_dir before its message goes to the pipeline; a file
// that cannot be had after the retries still lets the message through, naming the failure. A
// file to send is read, encrypted with a fresh media key and uploaded with the media_conn token;
// the message that points at it then goes out like a text (session_send.cpp).

#include <boost/asio/post.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "connector/account_session.hpp"
#include "connector/outbound_content.hpp"
#include "connector/qr_render.hpp"

namespace switchboard::whatsapp::connector {

namespace {

std::string extensionFor(const std::string& mime) {
  static const std::pair<const char*, const char*> kKnown[] = {
      {"image/jpeg", ".jpg"}, {"image/png", ".png"},  {"image/webp", ".webp"}, {"image/gif", ".gif"},
      {"video/mp4", ".mp4"},  {"audio/ogg", ".ogg"},  {"audio/mpeg", ".mp3"},  {"audio/mp4", ".m4a"},
      {"application/pdf", ".pdf"}, {"text/plain", ".txt"},
  };
  const std::string base = mime.substr(0, mime.find(';'));
  for (const auto& [m, ext] : kKnown) {
    if (base == m) {
      return ext;
    }
  }
  return ".bin";
}

sdk::Result<std::string> readWholeFile(const std::string& path, std::uint64_t maxBytes) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    return sdk::Error::permanent("whatsapp.media.file", "cannot read " + path + ": " + ec.message());
  }
  if (size > maxBytes) {
    return sdk::Error::permanent("whatsapp.media.too_large", path + " has " + std::to_string(size) +
                                                                 " bytes, more than media_max_bytes");
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) {
    return sdk::Error::permanent("whatsapp.media.file", "cannot read " + path);
  }
  return bytes;
}

constexpr const char* kOrigin = "https://web.whatsapp.com";

}  // namespace

void AccountSession::withMediaConn(std::function<void(sdk::Result<MediaConn>)> then) {
  if (mediaConn_.fresh(MediaConn::Clock::now())) {
    return then(mediaConn_);
  }
  mediaConnWaiters_.push_back(std::move(then));
  if (mediaConnWaiters_.size() > 1) {
    return;  // a query is already out; its answer serves everyone
  }
  sendIq(mediaConnQuery(""), [weak = weak_from_this()](sdk::Result<Node> reply) {
    auto self = weak.lock();
    if (!self) {
      return;
    }
    auto waiters = std::move(self->mediaConnWaiters_);
    self->mediaConnWaiters_.clear();
    sdk::Result<MediaConn> conn =
        reply.ok() ? parseMediaConn(reply.value(), MediaConn::Clock::now()) : sdk::Result<MediaConn>(reply.error());
    if (conn.ok()) {
      self->mediaConn_ = conn.value();
    } else {
      self->env_.logger.warn("whatsapp account=" + self->account_.id + " no media hosts: " + conn.error().describe());
    }
    for (auto& w : waiters) {
      w(conn);
    }
  });
}

void AccountSession::fetchMediaThenDeliver(std::shared_ptr<const Node> message, sdk::InboundDelivery deliveryIn,
                                           MediaLocator locator, std::string receiptType) {
  auto delivery = std::make_shared<sdk::InboundDelivery>(std::move(deliveryIn));
  const std::uint64_t generation = generation_;
  const auto dir = std::filesystem::path(env_.mediaDir) / account_.id;

  // Called once with the outcome: the file stored, or the failure noted; then the message goes on.
  auto finish = [weak = weak_from_this(), generation, message, delivery, locator, receiptType,
                 dir](sdk::Result<Bytes> plain) {
    auto self = weak.lock();
    if (!self || generation != self->generation_ || self->stopping_) {
      return;  // the stanza comes again on the next connection
    }
    sdk::Media& media = *delivery->message.media;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (plain.ok()) {
      // Named by content: the same file received twice is stored once.
      const std::string hash = toHex(sha256(plain.value()));
      const auto path = (dir / (hash + extensionFor(media.mimeType))).string();
      auto written = std::filesystem::exists(path, ec) ? sdk::okStatus()
                                                         : writeFileAtomically(path, std::string(asChars(plain.value())));
      if (written.ok()) {
        media.ref = path;
        media.size = plain->size();
        media.sha256Hex = hash;
        self->env_.metrics.mediaDownloaded.inc();
        return self->deliverInbound(message, std::move(*delivery), receiptType);
      }
      plain = written.error();
    }
    // Not had: the message still goes through. Its media ref is a descriptor with what a later
    // download needs (the key is secret: the file is as private as the media would be) and why
    // this one failed; an event says so too.
    const std::string safeId = toHex(sha256(asBytes(delivery->message.networkId))).substr(0, 32);
    const auto path = (dir / (safeId + ".json")).string();
    nlohmann::json j{{"type", locator.mediaType},
                     {"direct_path", locator.directPath},
                     {"url", locator.url},
                     {"media_key", toHex(asBytes(locator.mediaKey))},
                     {"file_enc_sha256", toHex(asBytes(locator.fileEncSha256))},
                     {"mimetype", media.mimeType},
                     {"size", media.size},
                     {"error", plain.error().code},
                     {"reason", plain.error().message}};
    if (writeFileAtomically(path, j.dump()).ok()) {
      media.ref = path;
    }
    self->env_.metrics.mediaDownloadFailures.inc();
    self->env_.logger.warn("whatsapp account=" + self->account_.id + " media of message id=" +
                           delivery->message.networkId + " not downloaded: " + plain.error().describe());
    self->emit("media.download_failed",
               {{"error", plain.error().code}, {"reason", plain.error().message}, {"descriptor", media.ref},
                {"chat", delivery->message.chat}},
               delivery->message.networkId);
    self->deliverInbound(message, std::move(*delivery), receiptType);
  };

  if (!env_.http) {
    return finish(sdk::Error::permanent("whatsapp.media.no_http", "the host offers no HTTP client"));
  }
  withMediaConn([weak = weak_from_this(), generation, locator, finish](sdk::Result<MediaConn> conn) {
    auto self = weak.lock();
    if (!self || generation != self->generation_) {
      return;
    }
    auto urls = downloadUrls(locator, conn.ok() ? conn->hosts : std::vector<std::string>{});
    sdk::HttpCall call;
    call.method = "GET";
    call.headers["Origin"] = kOrigin;
    FetchPolicy policy;
    policy.rounds = self->env_.settings.mediaAttempts;
    self->mediaTransfer_ = fetchWithRetry(
        self->strand_, self->env_.http, std::move(urls), std::move(call), policy, &self->env_.deliveriesInFlight,
        [weak, locator, finish](FetchOutcome out) {
          if (auto s = weak.lock()) {
            s->mediaTransfer_ = nullptr;
          }
          if (!out.reply.ok()) {
            return finish(out.reply.error());
          }
          finish(decryptMedia(asBytes(out.reply->body), asBytes(locator.mediaKey), locator.mediaType,
                              asBytes(locator.fileEncSha256), asBytes(locator.fileSha256)));
        });
  });
}

void AccountSession::sendMedia(const sdk::OutboundCommand& c) {
  if (preparedMedia_.count(c.commandId) != 0) {
    return sendText(c);  // uploaded before the connection ended: only the message goes again
  }
  if (!c.media || c.media->ref.empty() || c.media->mimeType.empty()) {
    fail(c, "whatsapp.bad_command", "send_media needs media.ref (a file) and media.mime_type");
    return pumpOutbox();
  }
  if (!env_.http) {
    fail(c, "whatsapp.media.no_http", "the host offers no HTTP client; media cannot be uploaded");
    return pumpOutbox();
  }
  auto bytes = readWholeFile(c.media->ref, env_.settings.mediaMaxBytes);
  if (!bytes.ok()) {
    fail(c, bytes.error().code, bytes.error().message);
    return pumpOutbox();
  }
  const std::string type = mediaTypeForSend(*c.media);
  auto encrypted = encryptMedia(asBytes(bytes.value()), type);
  if (!encrypted.ok()) {
    fail(c, encrypted.error().code, encrypted.error().message);
    return pumpOutbox();
  }
  sendBusy_ = true;
  auto enc = std::make_shared<EncryptedMedia>(std::move(encrypted).value());
  withMediaConn([weak = weak_from_this(), c, type, enc](sdk::Result<MediaConn> conn) {
    auto self = weak.lock();
    if (!self || self->stopping_) {
      return;
    }
    if (!conn.ok()) {
      self->sendBusy_ = false;
      if (conn.error().isRetriable()) {
        self->outbox_.push_front(c);  // the connection ended: tried again on the next one
        return;
      }
      self->fail(c, conn.error().code, "no media host to upload to: " + conn.error().message);
      return self->pumpOutbox();
    }
    std::vector<std::string> urls;
    for (const auto& host : conn->hosts) {
      urls.push_back(uploadUrl(host, mmsTypeOf(type), enc->fileEncSha256, conn->auth));
    }
    sdk::HttpCall call;
    call.method = "POST";
    call.headers["Content-Type"] = "application/octet-stream";
    call.headers["Origin"] = kOrigin;
    call.body.assign(asChars(enc->file));
    FetchPolicy policy;
    policy.rounds = self->env_.settings.mediaAttempts;
    const std::string firstHost = conn->hosts.front();
    self->uploadTransfer_ = fetchWithRetry(
        self->strand_, self->env_.http, std::move(urls), std::move(call), policy, &self->env_.deliveriesInFlight,
        [weak, c, type, enc, firstHost](FetchOutcome out) {
          auto s = weak.lock();
          if (!s || s->stopping_) {
            return;
          }
          s->uploadTransfer_ = nullptr;
          s->sendBusy_ = false;
          auto uploaded = out.reply.ok() ? parseUploadReply(out.reply->body)
                                         : sdk::Result<UploadedMedia>(out.reply.error());
          if (!uploaded.ok()) {
            s->fail(c, uploaded.error().code, "media upload failed after " + std::to_string(out.requests) +
                                                  " requests: " + uploaded.error().message);
            return s->pumpOutbox();
          }
          if (uploaded->url.empty()) {
            uploaded->url = "https://" + firstHost + uploaded->directPath;
          }
          if (s->preparedMedia_.size() >= 256) {
            s->preparedMedia_.clear();  // commands long gone; a resend would upload again
          }
          s->preparedMedia_[c.commandId] = PreparedMedia{type, *enc, uploaded.value()};
          s->env_.metrics.mediaUploaded.inc();
          s->sendText(c);
        });
  });
}

}  // namespace switchboard::whatsapp::connector
