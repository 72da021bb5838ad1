// Linking the account: QR codes shown one after another, or a pairing code, then the phone's
// pair-success, checked strictly before we countersign and save the credentials.

#include <chrono>
#include <filesystem>

#include "connector/account_session.hpp"
#include "connector/pairing.hpp"
#include "connector/qr_render.hpp"
#include "connector/stanza.hpp"

namespace switchboard::whatsapp::connector {

void AccountSession::onPairDevice(const Node& iqNode) {
  send(iqResult(attrOr(iqNode, "id")));
  if (!creds_ || creds_->paired()) {
    return;
  }
  auto refs = pairDeviceRefs(iqNode);
  if (!refs.ok()) {
    env_.logger.warn("whatsapp account=" + account_.id + " " + refs.error().describe());
    return connectionLost(refs.error().message);
  }
  qrRefs_ = std::move(refs).value();
  qrIndex_ = 0;
  if (account_.pairing == PairingMethod::Code) {
    return requestPairingCode();
  }
  showNextQr();
}

void AccountSession::showNextQr() {
  if (qrIndex_ >= qrRefs_.size()) {
    emit("session.qr_expired", {{"codes", std::to_string(qrRefs_.size())}});
    return connectionLost("no QR code was scanned in time");
  }
  const std::string text = qrCodeText(qrRefs_[qrIndex_], *creds_);
  const auto lifetime = qrIndex_ == 0 ? env_.settings.qrFirstTimeout : env_.settings.qrNextTimeout;
  moveTo(SessionState::Qr, "waiting for the phone to scan");

  // `code` and `expires_at_ms` fill the contract's PairingQr detail on `events`; `qr` stays for
  // readers of the attributes.
  const auto expiresAt = std::chrono::duration_cast<std::chrono::milliseconds>(
                             (std::chrono::system_clock::now() + lifetime).time_since_epoch())
                             .count();
  std::map<std::string, std::string> attrs{{"qr", text},
                                           {"code", text},
                                           {"expires_at_ms", std::to_string(expiresAt)},
                                           {"index", std::to_string(qrIndex_ + 1)},
                                           {"of", std::to_string(qrRefs_.size())},
                                           {"expires_in_ms", std::to_string(lifetime.count())}};
  auto matrix = encodeQr(text);
  if (matrix.ok()) {
    env_.logger.info("whatsapp account=" + account_.id + " scan this QR code with WhatsApp > Linked devices (" +
                     std::to_string(qrIndex_ + 1) + "/" + std::to_string(qrRefs_.size()) + "):\n" +
                     qrTerminalArt(matrix.value()));
    const std::string png = (std::filesystem::path(env_.stateDir) / ("qr-" + account_.id + ".png")).string();
    if (auto s = writeFileAtomically(png, qrPng(matrix.value())); s.ok()) {
      attrs["png"] = png;
    } else {
      env_.logger.warn("whatsapp account=" + account_.id + " QR image not written: " + s.error().describe());
    }
  } else {
    env_.logger.warn("whatsapp account=" + account_.id + " " + matrix.error().describe());
  }
  emit("session.qr", std::move(attrs));

  qrTimer_.expires_after(lifetime);
  qrTimer_.async_wait([weak = weak_from_this(), generation = generation_](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || generation != self->generation_ || self->machine_.state() != SessionState::Qr) {
      return;
    }
    ++self->qrIndex_;
    self->showNextQr();
  });
}

void AccountSession::onPairSuccess(const Node& iqNode) {
  qrTimer_.cancel();
  if (!creds_ || creds_->paired()) {
    return;
  }
  auto result = completePairing(iqNode, *creds_);
  if (!result.ok()) {
    env_.logger.error("whatsapp account=" + account_.id + " pairing refused: " + result.error().describe());
    emit("session.pairing_failed", {{"code", result.error().code}, {"reason", result.error().message}});
    send(pairingErrorReply(iqNode, result.error()));
    return;
  }
  auto& r = result.value();
  DeviceCredentials paired = *creds_;
  paired.jid = r.jid;
  paired.lid = r.lid;
  paired.platform = r.platform;
  paired.businessName = r.businessName;
  paired.account = r.account;
  paired.keyIndex = r.keyIndex;
  // Saved before we answer: once the phone sees our countersignature it lists us as linked, and
  // credentials lost after that point would leave a ghost device behind.
  if (auto s = env_.storage.saveCredentials(account_.id, paired.serialize()); !s.ok()) {
    env_.logger.error("whatsapp account=" + account_.id + " pairing not completed, credentials not saved: " +
                      s.error().describe());
    send(pairingErrorReply(iqNode, sdk::Error::retriable("whatsapp.storage", "credentials not saved")));
    return;
  }
  creds_ = std::move(paired);
  (void)env_.storage.putAccount({account_.id, account_.tenant, creds_->jid, creds_->businessName, "paired"});
  send(r.reply);
  env_.logger.info("whatsapp account=" + account_.id + " paired as " + creds_->jid +
                   (creds_->lid.empty() ? "" : " (" + creds_->lid + ")"));
  emit("session.paired", {{"jid", creds_->jid}, {"lid", creds_->lid}, {"platform", creds_->platform}});
  // The server now ends this registration connection with 515; we log in on the next one.
}

void AccountSession::requestPairingCode() {
  codePairing_.emplace(account_.phone, generatePairingCode());
  const std::string& code = codePairing_->code();
  const std::string shown = code.substr(0, 4) + "-" + code.substr(4);
  moveTo(SessionState::PairingCode, "waiting for the code to be typed on the phone");
  env_.logger.info("whatsapp account=" + account_.id + " pairing code for +" + account_.phone + ": " + shown +
                   " (WhatsApp > Linked devices > Link with phone number)");
  emit("session.pairing_code", {{"code", shown}, {"phone", account_.phone}});
  Node request = codePairing_->helloRequest(iqs_.nextId(), *creds_, env_.settings.deviceName);
  sendIq(std::move(request), [weak = weak_from_this()](sdk::Result<Node> reply) {
    auto self = weak.lock();
    if (!self || reply.ok()) {
      return;
    }
    self->env_.logger.error("whatsapp account=" + self->account_.id +
                            " pairing code request refused: " + reply.error().describe());
    self->emit("session.pairing_failed", {{"code", reply.error().code}, {"reason", reply.error().message}});
  });
}

void AccountSession::onLinkCodeNotification(const Node& notification) {
  if (!codePairing_ || !creds_) {
    return;
  }
  auto finish = codePairing_->onPrimaryHello(notification, iqs_.nextId(), *creds_);
  if (!finish.ok()) {
    env_.logger.error("whatsapp account=" + account_.id + " code pairing failed: " + finish.error().describe());
    emit("session.pairing_failed", {{"code", finish.error().code}, {"reason", finish.error().message}});
    return;
  }
  sendIq(std::move(finish).value(), [weak = weak_from_this()](sdk::Result<Node> reply) {
    auto self = weak.lock();
    if (!self || reply.ok()) {
      return;
    }
    self->emit("session.pairing_failed", {{"code", reply.error().code}, {"reason", reply.error().message}});
  });
}

}  // namespace switchboard::whatsapp::connector
