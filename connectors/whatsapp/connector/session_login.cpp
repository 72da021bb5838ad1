// After <success>: the account is online. We tell the server we are active, keep its stock of
// our one-time prekeys above the low-water mark, and ping it to keep the connection alive.

#include "connector/account_session.hpp"
#include "connector/stanza.hpp"
#include "signal/bundle_nodes.hpp"
#include "signal/protocol.hpp"
#include "signal/transaction.hpp"

namespace switchboard::whatsapp::connector {

void AccountSession::onSuccess(const Node& success) {
  if (!creds_ || !creds_->paired()) {
    return;
  }
  backoff_.reset();
  const std::string lid = attrOr(success, "lid");
  if (!lid.empty() && lid != creds_->lid) {
    creds_->lid = lid;
    if (auto s = saveCredentials(); !s.ok()) {
      env_.logger.warn("whatsapp account=" + account_.id + " LID not saved: " + s.error().describe());
    }
  }
  moveTo(SessionState::Connected, "logged in as " + creds_->jid);
  sendIq(iq("", "set", "passive", Node::Children{Node("active")}), [](sdk::Result<Node>) {});
  checkPreKeys(false);
  scheduleKeepalive();
  // Sent messages older than the retry window are no longer asked for.
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  if (auto s = env_.storage.pruneSent(account_.id, (now - env_.settings.sentRetention).count()); !s.ok()) {
    env_.logger.warn("whatsapp account=" + account_.id + " old sent messages not pruned: " + s.error().describe());
  }
  pumpOutbox();
}

void AccountSession::checkPreKeys(bool force) {
  sendIq(iq("", "get", "encrypt", Node::Children{Node("count")}),
         [weak = weak_from_this(), force](sdk::Result<Node> reply) {
           auto self = weak.lock();
           if (!self || !self->creds_) {
             return;
           }
           if (!reply.ok()) {
             self->env_.logger.warn("whatsapp account=" + self->account_.id +
                                    " prekey count unavailable: " + reply.error().describe());
             return;
           }
           const Node* count = reply->child("count");
           const std::string value = count ? attrOr(*count, "value") : std::string();
           char* end = nullptr;
           const long n = std::strtol(value.c_str(), &end, 10);
           if (value.empty() || *end != '\0' || n < 0) {
             self->env_.logger.warn("whatsapp account=" + self->account_.id + " prekey count reply unreadable");
             return;
           }
           const bool never = self->creds_->uploadedPreKeyId == 0;
           if (force || never || n < self->env_.settings.prekeyLowWater) {
             self->uploadPreKeys(static_cast<std::uint32_t>(self->env_.settings.prekeyBatch));
           }
         });
}

void AccountSession::uploadPreKeys(std::uint32_t count) {
  if (preKeyUploadRunning_ || !creds_) {
    return;
  }
  // The new prekeys and the id counter are stored before the server sees them: it may hand them
  // out at once, and a message built on a prekey we do not have could never be decrypted.
  SignalTransaction txn(signalStore_);
  SignalProtocol protocol(txn);
  auto keys = protocol.generatePreKeys(creds_->nextPreKeyId, count);
  if (!keys.ok()) {
    env_.logger.warn("whatsapp account=" + account_.id + " prekeys not generated: " + keys.error().describe());
    return;
  }
  if (auto s = signalStore_.putCommitted(toRecordWrites(txn.changes())); !s.ok()) {
    env_.logger.warn("whatsapp account=" + account_.id + " prekeys not stored: " + s.error().describe());
    return;
  }
  const std::uint32_t last = keys->back().id;
  creds_->nextPreKeyId = nextPreKeyId(last);
  if (auto s = saveCredentials(); !s.ok()) {
    env_.logger.warn("whatsapp account=" + account_.id + " prekey counter not saved: " + s.error().describe());
    return;
  }
  PreKeyUpload upload;
  upload.registrationId = creds_->registrationId;
  upload.identity = creds_->identityKey.pub;
  upload.signedPreKey = SignedPreKeyPublic{creds_->signedPreKeyId, creds_->signedPreKeyPub,
                                           creds_->signedPreKeySignature};
  upload.preKeys = std::move(keys).value();
  preKeyUploadRunning_ = true;
  sendIq(iq("", "set", "encrypt", preKeyUploadNodes(upload)),
         [weak = weak_from_this(), last, count](sdk::Result<Node> reply) {
           auto self = weak.lock();
           if (!self) {
             return;
           }
           self->preKeyUploadRunning_ = false;
           if (!reply.ok()) {
             self->env_.logger.warn("whatsapp account=" + self->account_.id +
                                    " prekey upload failed: " + reply.error().describe());
             return;
           }
           self->env_.metrics.prekeysUploaded.inc(count);
           if (self->creds_) {
             self->creds_->uploadedPreKeyId = last;
             (void)self->saveCredentials();
           }
           self->env_.logger.info("whatsapp account=" + self->account_.id + " uploaded " + std::to_string(count) +
                                  " prekeys");
         });
}

}  // namespace switchboard::whatsapp::connector
