// Receiving: a <message> is decrypted inside a Signal transaction, turned into an InboundMessage,
// and handed to the pipeline with the transaction's writes and the ciphertext's hash. Only once
// the pipeline has committed all of it do we acknowledge the stanza. Messages of one account are
// handled one at a time, in arrival order (the next one may need the ratchet state this one made).

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>



#include "connector/account_session.hpp"
#include "connector/message_content.hpp"
#include "connector/stanza.hpp"
#include "protocol/jid.hpp"
#include "signal/bundle_nodes.hpp"
#include "signal/errors.hpp"
#include "signal/padding.hpp"
#include "signal/protocol.hpp"
#include "signal/transaction.hpp"

namespace switchboard::whatsapp::connector {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kMaxInbox = 5000;
constexpr int kMaxRetryReceipts = 5;

// The JID without its device: the chat or author as a conversation names it.
std::string bare(const Jid& jid) {
  if (jid.server == kGroupServer || jid.form == Jid::Form::Pair) {
    return jid.user + "@" + jid.server;
  }
  return Jid::pair(jid.user, jid.server).toString();
}

// Sessions live under the LID address when the stanza names the sender's LID (wa-protocol.md 8.2).
Jid signalJidOf(const Jid& sender, const Node& message, bool group) {
  if (sender.server == kLidServer) {
    return sender;
  }
  const std::string lid = attrOr(message, group ? "participant_lid" : "sender_lid");
  if (auto l = Jid::parse(lid); l && l->server == kLidServer) {
    return Jid::withDevice(l->user, sender.device, kLidServer);
  }
  return sender;
}

// The phone-number form for chat and author when the stanza gives it, so one contact keeps one
// conversation whichever addressing the sender used.
std::string phoneFormOf(const Jid& sender, const Node& message, bool group) {
  if (sender.server != kLidServer) {
    return bare(sender);
  }
  const std::string pn = attrOr(message, group ? "participant_pn" : "sender_pn");
  if (auto p = Jid::parse(pn); p && p->server == kUserServer) {
    return bare(*p);
  }
  return bare(sender);
}

}  // namespace

void AccountSession::queueMessage(const Node& message) {
  if (inbox_.size() >= kMaxInbox) {
    // Never acked, so never lost: a reconnect makes the server deliver the backlog again.
    return connectionLost("more than " + std::to_string(kMaxInbox) + " messages waiting to be stored");
  }
  inbox_.push_back(std::make_shared<const Node>(message));
  processInbox();
}

void AccountSession::processInbox() {
  if (inboxBusy_ || inbox_.empty() || !socket_) {
    return;
  }
  inboxBusy_ = true;
  if (!env_.turns) {
    processMessage(inbox_.front());
    return;
  }
  // Decryption waits for its tenant's turn (connector/tenant_turns.hpp); the turn is held until
  // processMessage returns, which covers the decryption (storing goes on asynchronously). A turn
  // free with nobody waiting is taken here, on our strand: no post per message when nothing contends.
  if (auto turn = env_.turns->tryTake()) {
    processMessage(inbox_.front());
    return;
  }
  env_.turns->request(account_.tenant, [weak = weak_from_this(), generation = generation_](TenantTurns::Turn turn) {
    auto self = weak.lock();
    if (!self) {
      return;
    }
    asio::post(self->strand_, [weak, generation, turn = std::move(turn)] {
      auto s = weak.lock();
      if (!s || generation != s->generation_) {
        return;  // the connection it was for is gone, and its inbox with it
      }
      if (s->inbox_.empty() || !s->socket_) {
        s->inboxBusy_ = false;
        return;
      }
      s->processMessage(s->inbox_.front());
    });
  });
}

void AccountSession::retryInboxLater() {
  inboxBusy_ = true;
  inboxTimer_.expires_after(std::chrono::seconds(1));
  inboxTimer_.async_wait([weak = weak_from_this(), generation = generation_](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || generation != self->generation_) {
      return;
    }
    self->inboxBusy_ = false;
    self->processInbox();
  });
}

void AccountSession::finishMessage(const Node& message, const std::string& receiptType) {
  Node receipt("receipt", {{"id", attrOr(message, "id")}, {"to", attrOr(message, "from")}});
  for (const char* key : {"participant", "recipient"}) {
    if (auto v = message.attr(key)) {
      receipt.setAttr(key, std::string(*v));
    }
  }
  if (!receiptType.empty()) {
    receipt.setAttr("type", receiptType);
  }
  send(receipt);
  ack(message);
  retryCounts_.erase(attrOr(message, "id"));
  if (!inbox_.empty()) {
    inbox_.pop_front();
  }
  inboxBusy_ = false;
  // Posted, not called: a long backlog of redeliveries must not grow the stack.
  asio::post(strand_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->processInbox();
    }
  });
}

void AccountSession::processMessage(std::shared_ptr<const Node> message) {
  const std::string id = attrOr(*message, "id");
  const auto from = Jid::parse(attrOr(*message, "from"));
  std::vector<const Node*> encs;
  for (const auto& c : childrenOf(*message)) {
    if (c.tag == "enc" && c.bytes() != nullptr) {
      encs.push_back(&c);
    }
  }
  if (id.empty() || !from || encs.empty()) {
    // Nothing we can decrypt (a placeholder, or a malformed stanza): acknowledge it so the server
    // stops offering it, and say why.
    env_.metrics.decryptFailures.inc();
    ack(*message, encs.empty() ? "488" : "491");
    if (!inbox_.empty()) {
      inbox_.pop_front();
    }
    inboxBusy_ = false;
    return processInbox();
  }
  const bool group = from->server == kGroupServer;
  const auto author = Jid::parse(group ? attrOr(*message, "participant") : attrOr(*message, "from"));
  if (!author) {
    ack(*message, "491");
    inbox_.pop_front();
    inboxBusy_ = false;
    return processInbox();
  }
  const std::string ownUser = creds_ ? creds_->user() : std::string();
  const std::string ownLid = creds_ ? Jid::parse(creds_->lid).value_or(Jid{}).user : std::string();
  const bool fromOwnDevice = author->user == ownUser || (!ownLid.empty() && author->user == ownLid);
  const std::string receiptType =
      attrOr(*message, "category") == "peer" ? "peer_msg" : (fromOwnDevice && !group ? "sender" : "");

  // 1. The ciphertext's hash names the message in storage. A redelivery of something already
  // stored cannot decrypt again (its keys were used and that ratchet step committed with it), so
  // storage is asked only once decryption failed: a query per message saved on the common path.
  Bytes all;
  for (const Node* e : encs) {
    append(all, *e->bytes());
  }
  const std::string hash = toHex(sha256(all));

  // 2. Decrypt inside a transaction: nothing reaches the store unless the message does.
  const SignalAddress address = SignalAddress::fromJid(signalJidOf(*author, *message, group));
  SignalTransaction txn(signalStore_);
  SignalProtocol protocol(txn);
  std::optional<wire::Message> content;
  std::optional<sdk::Error> failure;
  for (const Node* e : encs) {
    const auto type = parseCipherType(attrOr(*e, "type"));
    if (!type) {
      continue;
    }
    auto plain = *type == CipherType::SkMsg
                     ? (group ? protocol.groupDecrypt(SenderKeyName{bare(*from), address}, *e->bytes())
                              : sdk::Result<Bytes>(signalError(SignalErrc::InvalidMessage, "skmsg outside a group")))
                     : protocol.decrypt(address, *type, *e->bytes());
    if (!plain.ok()) {
      failure = plain.takeError();
      break;
    }
    auto unpadded = attrOr(*e, "v") == "3" ? sdk::Result<Bytes>(std::move(plain).value()) : unpadMessage(plain.value());
    if (!unpadded.ok()) {
      failure = unpadded.takeError();
      break;
    }
    auto parsed = parseMessageBytes(std::string(asChars(unpadded.value())));
    if (!parsed.ok()) {
      failure = parsed.takeError();
      break;
    }
    if (group && parsed->has_sender_key_distribution_message()) {
      const auto& skdm = parsed->sender_key_distribution_message();
      auto s = protocol.processSenderKeyDistribution(SenderKeyName{bare(*from), address},
                                                     asBytes(skdm.axolotl_sender_key_distribution_message()));
      if (!s.ok()) {
        failure = s.takeError();
        break;
      }
    }
    // In a group the skmsg carries the content; a pkmsg beside it may hold only the sender key.
    if (!content || *type == CipherType::SkMsg) {
      content = std::move(parsed).value();
    }
  }
  if (failure) {
    const auto errc = signalErrc(*failure);
    if (errc == SignalErrc::Store) {
      env_.logger.warn("whatsapp account=" + account_.id + " Signal store unavailable: " + failure->describe());
      return retryInboxLater();
    }
    // A redelivery of something already stored is answered from storage.
    auto stored = env_.storage.findInboundRedelivery(account_.id, id, hash);
    if (!stored.ok()) {
      env_.logger.warn("whatsapp account=" + account_.id + " storage unavailable: " + stored.error().describe());
      return retryInboxLater();
    }
    if (stored.value()) {
      env_.metrics.messagesRedelivered.inc();
      return finishMessage(*message, receiptType);
    }
    env_.metrics.decryptFailures.inc();
    if (errc == SignalErrc::DuplicateMessage) {
      // Its keys were used by an earlier delivery whose plaintext we committed (under another
      // ciphertext); acknowledging again is all that is left to do.
      env_.logger.debug("whatsapp account=" + account_.id + " duplicate message id=" + id);
      return finishMessage(*message, receiptType);
    }
    env_.logger.warn("whatsapp account=" + account_.id + " cannot decrypt id=" + id + " from " +
                     attrOr(*message, "from") + ": " + failure->describe());
    if (wantsRetryReceipt(*failure)) {
      sendRetryReceipt(*message, *failure);
    }
    ack(*message);
    inbox_.pop_front();
    inboxBusy_ = false;
    return processInbox();
  }

  // 3. The content, as the pipeline stores it.
  sdk::InboundMessage m;
  m.tenant = account_.tenant;
  m.account = account_.id;
  m.networkId = id;
  m.isGroup = group;
  m.sender = phoneFormOf(*author, *message, group);
  m.chat = group ? bare(*from) : m.sender;
  m.senderName = attrOr(*message, "notify");
  m.fromMe = fromOwnDevice;
  const long long t = std::strtoll(attrOr(*message, "t", "0").c_str(), nullptr, 10);
  m.timestamp = t > 0 ? t * 1000
                      : std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  ParsedContent parsed = content ? parseContent(*content, m) : ParsedContent{};
  if (parsed.sentByUs && !group) {
    if (auto dest = Jid::parse(parsed.destination)) {
      m.chat = bare(*dest);
    } else if (auto recipient = Jid::parse(attrOr(*message, "recipient"))) {
      m.chat = bare(*recipient);
    }
    m.fromMe = true;
  }
  auto writes = toRecordWrites(txn.changes());
  if (!parsed.deliver) {
    // Nothing for the pipeline, but the ratchet moved: keep it before acknowledging.
    if (!writes.empty()) {
      if (auto s = signalStore_.putCommitted(writes); !s.ok()) {
        return retryInboxLater();
      }
    }
    env_.metrics.messagesSkipped.inc();
    return finishMessage(*message, receiptType);
  }
  sdk::InboundDelivery delivery{std::move(m), hash, std::move(writes)};
  if (parsed.media && delivery.message.media) {
    // The file first (downloaded, checked, decrypted), so the message names it when stored.
    return fetchMediaThenDeliver(message, std::move(delivery), *parsed.media, receiptType);
  }
  deliverInbound(message, std::move(delivery), receiptType);
}

void AccountSession::deliverInbound(std::shared_ptr<const Node> message, sdk::InboundDelivery delivery,
                                    const std::string& receiptType) {
  // 4. Stored together with its Signal writes and hash; acknowledged after the commit.
  const std::uint64_t generation = generation_;
  std::weak_ptr<AccountSession> weak = weak_from_this();
  std::atomic<int>* inFlight = &env_.deliveriesInFlight;
  // The records the Signal cache keeps, remembered once the pipeline committed them.
  std::vector<sdk::SignalRecordWrite> cached;
  for (const auto& w : delivery.signal) {
    if (SignalRecordCache::caches(w.table)) {
      cached.push_back(w);
    }
  }
  ++*inFlight;
  auto s = env_.inbound.deliverWithState(
      std::move(delivery),
      [weak, generation, message, receiptType, inFlight, cached = std::move(cached)](sdk::Status status) mutable {
        auto self = weak.lock();
        if (!self) {
          --*inFlight;
          return;
        }
        asio::post(self->strand_, [self, generation, message, receiptType, status, cached = std::move(cached)] {
          if (generation != self->generation_) {
            // That connection is gone; the redelivery is found by its hash. What the new one
            // cached may predate this commit.
            self->signalStore_.forgetCached();
            return;
          }
          if (status.ok()) {
            self->signalStore_.committed(cached);
            self->env_.metrics.messagesReceived.inc();
            return self->finishMessage(*message, receiptType);
          }
          self->signalStore_.forgetCached();
          self->env_.logger.warn("whatsapp account=" + self->account_.id + " message id=" +
                                 attrOr(*message, "id") + " not stored: " + status.error().describe());
          if (status.error().isRetriable()) {
            return self->retryInboxLater();
          }
          // Not storable as it is: leave it unacknowledged (the server offers it again after a
          // reconnect) and go on with the rest.
          if (!self->inbox_.empty()) {
            self->inbox_.pop_front();
          }
          self->inboxBusy_ = false;
          self->processInbox();
        });
        self.reset();
        --*inFlight;  // last: after this the connector may be unloaded
      });
  if (!s.ok()) {
    --*inFlight;
    signalStore_.forgetCached();
    env_.metrics.backpressure.inc();
    retryInboxLater();
  }
}

void AccountSession::sendRetryReceipt(const Node& message, const sdk::Error& why) {
  const std::string id = attrOr(message, "id");
  if (retryCounts_.size() > 1000) {
    retryCounts_.clear();
  }
  const int count = ++retryCounts_[id];
  if (count > kMaxRetryReceipts || !creds_) {
    env_.logger.warn("whatsapp account=" + account_.id + " giving up on message id=" + id + " after " +
                     std::to_string(count - 1) + " retries");
    return;
  }
  Node::Children children{
      Node("retry", {{"count", std::to_string(count)}, {"id", id}, {"t", attrOr(message, "t")}, {"v", "1"}}),
      registrationNode(creds_->registrationId)};
  if (count >= 2) {
    // From the second try on the sender may have lost our session: hand it a fresh bundle.
    SignalTransaction txn(signalStore_);
    SignalProtocol protocol(txn);
    auto keys = protocol.generatePreKeys(creds_->nextPreKeyId, 1);
    if (keys.ok() && signalStore_.putCommitted(toRecordWrites(txn.changes())).ok()) {
      creds_->nextPreKeyId = nextPreKeyId(keys->back().id);
      (void)saveCredentials();
      PreKeyBundle bundle;
      bundle.registrationId = creds_->registrationId;
      bundle.identity = creds_->identityKey.pub;
      bundle.signedPreKey = {creds_->signedPreKeyId, creds_->signedPreKeyPub, creds_->signedPreKeySignature};
      bundle.preKey = keys->front();
      auto identity = creds_->deviceIdentityForPeers();
      children.push_back(retryKeysNode(bundle, identity.ok() ? std::optional<Bytes>(identity.value()) : std::nullopt));
    }
  }
  Node receipt("receipt", {{"id", id}, {"to", attrOr(message, "from")}, {"type", "retry"}}, std::move(children));
  for (const char* key : {"participant", "recipient"}) {
    if (auto v = message.attr(key)) {
      receipt.setAttr(key, std::string(*v));
    }
  }
  if (attrOr(message, "category") == "peer") {
    receipt.setAttr("category", "peer");
  }
  env_.metrics.retryReceipts.inc();
  env_.logger.info("whatsapp account=" + account_.id + " retry receipt id=" + id + " count=" + std::to_string(count) +
                   " reason=\"" + why.code + "\"");
  send(receipt);
}

}  // namespace switchboard::whatsapp::connector
