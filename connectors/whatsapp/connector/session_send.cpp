// Sending: commands wait for the connection and for the account's pacing, then each text goes to
// every device of the recipient and to our own other devices, encrypted per device. The Signal
// state and the sent message are stored before the stanza leaves; the result is Sent once the
// server acknowledges it. Receipts from the recipient become events and result stages.

#include <boost/asio/post.hpp>

#include "connector/account_session.hpp"
#include "connector/device_list.hpp"
#include "connector/outbound_content.hpp"
#include "connector/stanza.hpp"
#include "signal/bundle_nodes.hpp"
#include "signal/padding.hpp"
#include "signal/protocol.hpp"
#include "signal/transaction.hpp"
#include "switchboard/whatsapp/wire/e2e.pb.h"

namespace switchboard::whatsapp::connector {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kMaxOutbox = 10'000;

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string serialize(const wire::Message& m) { return m.SerializeAsString(); }

// What our own other devices receive instead: the message and where it went.
std::string deviceSentPayload(const std::string& message, const std::string& destination) {
  wire::Message inner;
  inner.ParseFromString(message);
  wire::Message dsm;
  dsm.mutable_device_sent_message()->set_destination_jid(destination);
  *dsm.mutable_device_sent_message()->mutable_message() = std::move(inner);
  return serialize(dsm);
}

}  // namespace

void AccountSession::execute(sdk::OutboundCommand command) {
  asio::post(strand_, [self = shared_from_this(), c = std::move(command)] { self->runCommand(c); });
}

void AccountSession::fail(const sdk::OutboundCommand& c, const std::string& code, const std::string& reason) {
  env_.metrics.sendFailures.inc();
  preparedMedia_.erase(c.commandId);
  sdk::CommandResult r;
  r.commandId = c.commandId;
  r.tenant = c.tenant;
  r.account = c.account;
  r.stage = sdk::ResultStage::Failed;
  r.errorCode = code;
  r.reason = reason;
  r.timestamp = nowMs();
  env_.inbound.result(r);
}

void AccountSession::runCommand(const sdk::OutboundCommand& c) {
  if (stopping_) {
    return;  // stays pending in storage; sent after the restart
  }
  if (machine_.terminal()) {
    return fail(c, "whatsapp.not_connected",
                "account " + account_.id + " is " + std::string(toString(machine_.state())) + "; nothing was sent");
  }
  if (outbox_.size() >= kMaxOutbox) {
    return fail(c, "whatsapp.queue_full", "account " + account_.id + " has too many messages waiting to be sent");
  }
  outbox_.push_back(c);
  pumpOutbox();
}

void AccountSession::requeueUnacknowledged() {
  // Sent but not acknowledged when the connection ended: sent again, under the same message id.
  for (auto it = awaitingAck_.rbegin(); it != awaitingAck_.rend(); ++it) {
    outbox_.push_front(it->second);
  }
  awaitingAck_.clear();
}

void AccountSession::pumpOutbox() {
  if (sendBusy_ || outbox_.empty() || machine_.state() != SessionState::Connected || !socket_) {
    return;
  }
  const auto wait = pacer_.acquire(SendPacer::Clock::now());
  if (wait.count() > 0) {
    sendTimer_.expires_after(wait);
    sendTimer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      if (auto self = weak.lock(); self && !ec) {
        self->pumpOutbox();
      }
    });
    return;
  }
  sdk::OutboundCommand c = std::move(outbox_.front());
  outbox_.pop_front();
  switch (c.kind) {
    case sdk::CommandKind::SendText:
    case sdk::CommandKind::SendReaction:
      return sendText(c);
    case sdk::CommandKind::EditMessage:
    case sdk::CommandKind::DeleteMessage: {
      // Only what this account sent can be edited or deleted; the sent store knows it, across restarts.
      auto sent = env_.storage.findSent(account_.id, c.targetId);
      if (!sent.ok()) {
        return postponeSend(c);  // storage away
      }
      if (!sent.value().has_value()) {
        fail(c, "whatsapp.not_own_message",
             std::string(sdk::toString(c.kind)) + ": message " + c.targetId.substr(0, 64) +
                 " was not sent by this account (only its own messages can be changed)");
        return pumpOutbox();
      }
      return sendText(c);
    }
    case sdk::CommandKind::SendMedia:
      return sendMedia(c);  // uploads the file, then continues as sendText
    case sdk::CommandKind::MarkRead:
      return markRead(c);
    default:
      fail(c, "whatsapp.unsupported", std::string(sdk::toString(c.kind)) + " is not supported by this connector yet");
      return pumpOutbox();
  }
}

void AccountSession::postponeSend(const sdk::OutboundCommand& c) {
  outbox_.push_front(c);
  sendTimer_.expires_after(std::chrono::seconds(1));
  sendTimer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    if (auto self = weak.lock(); self && !ec) {
      self->pumpOutbox();
    }
  });
}

SignalAddress AccountSession::addressFor(const Jid& device) const {
  if (device.server == kUserServer) {
    if (auto it = lidOf_.find(device.user); it != lidOf_.end()) {
      return SignalAddress::fromJid(Jid::withDevice(it->second, device.device, kLidServer));
    }
  }
  return SignalAddress::fromJid(device);
}

void AccountSession::markRead(const sdk::OutboundCommand& c) {
  auto to = recipientJid(c.to);
  if (!to.ok() || c.targetId.empty()) {
    fail(c, "whatsapp.bad_command", to.ok() ? "mark_read needs the id of the last message read" : to.error().message);
    return pumpOutbox();
  }
  send(Node("receipt", {{"id", c.targetId},
                        {"to", to->toString()},
                        {"type", "read"},
                        {"t", std::to_string(nowMs() / 1000)}}));
  sdk::CommandResult r;
  r.commandId = c.commandId;
  r.tenant = c.tenant;
  r.account = c.account;
  r.stage = sdk::ResultStage::Sent;
  r.networkId = c.targetId;
  r.timestamp = nowMs();
  env_.inbound.result(r);
  pumpOutbox();
}

void AccountSession::sendText(const sdk::OutboundCommand& c) {
  auto to = recipientJid(c.to);
  if (!to.ok()) {
    fail(c, to.error().code, to.error().message);
    return pumpOutbox();
  }
  if (to->server == kGroupServer) {
    return sendToGroup(c, to.value());  // session_group.cpp
  }
  if (to->server != kUserServer && to->server != kLidServer) {
    fail(c, "whatsapp.unsupported", "sending to " + to->toString() + " (broadcasts, newsletters) is not supported");
    return pumpOutbox();
  }
  sendBusy_ = true;
  const std::string id = messageIdForCommand(account_.id, c.commandId);
  std::vector<std::string> asked{to->toString()};
  const std::string ownJid = Jid::pair(creds_->user()).toString();
  if (ownJid != asked.front()) {
    asked.push_back(ownJid);
  }
  const Jid recipient = to.value();
  sendIq(usyncDevicesQuery(iqs_.nextId(), asked), [weak = weak_from_this(), c, id, recipient](sdk::Result<Node> reply) {
    auto self = weak.lock();
    if (!self) {
      return;
    }
    auto requeue = [&] {
      self->outbox_.push_front(c);
      self->sendBusy_ = false;
    };
    if (!reply.ok()) {
      if (reply.error().isRetriable()) {
        return requeue();  // the connection ended or the server is slow: try again later
      }
      self->sendBusy_ = false;
      self->fail(c, reply.error().code, "device list unavailable: " + reply.error().message);
      return self->pumpOutbox();
    }
    auto users = parseUsyncDevices(reply.value());
    if (!users.ok()) {
      self->sendBusy_ = false;
      self->fail(c, users.error().code, users.error().message);
      return self->pumpOutbox();
    }
    const std::string ownUser = self->creds_->user();
    const std::uint16_t ownDevice = self->creds_->device();
    std::vector<SendTarget> targets;
    for (const auto& u : users.value()) {
      auto user = Jid::parse(u.jid);
      if (!user) {
        continue;
      }
      if (auto lid = Jid::parse(u.lid); lid && lid->server == kLidServer && user->server == kUserServer) {
        if (self->lidOf_.size() > 1000) {
          self->lidOf_.clear();
        }
        self->lidOf_[user->user] = lid->user;
      }
      const bool own = user->user == ownUser;
      for (auto d : u.devices) {
        if (own && d == ownDevice) {
          continue;
        }
        Jid device = d == 0 ? Jid::pair(user->user, user->server) : Jid::withDevice(user->user, d, user->server);
        targets.push_back({device.toString(), self->addressFor(Jid::withDevice(user->user, d, user->server)), own});
      }
    }
    if (std::none_of(targets.begin(), targets.end(), [](const SendTarget& t) { return !t.own; })) {
      self->sendBusy_ = false;
      self->fail(c, "whatsapp.no_devices", recipient.toString() + " has no WhatsApp devices");
      return self->pumpOutbox();
    }
    // Devices we have no session with need their prekey bundle first.
    auto missing = self->devicesWithoutSession(targets);
    if (!missing.ok()) {
      return requeue();
    }
    if (missing.value().empty()) {
      return self->deliverText(c, id, recipient, std::move(targets), {});
    }
    self->sendIq(bundleRequest(missing.value()),
                 [weak, c, id, recipient, targets = std::move(targets)](sdk::Result<Node> keys) mutable {
                   auto s = weak.lock();
                   if (!s) {
                     return;
                   }
                   if (!keys.ok()) {
                     if (keys.error().isRetriable()) {
                       s->outbox_.push_front(c);
                       s->sendBusy_ = false;
                       return;
                     }
                     s->sendBusy_ = false;
                     s->fail(c, keys.error().code, "prekey bundles unavailable: " + keys.error().message);
                     return s->pumpOutbox();
                   }
                   std::map<std::string, PreKeyBundle> bundles;
                   if (auto parsed = parsePreKeyBundles(keys.value()); parsed.ok()) {
                     for (auto& b : parsed.value()) {
                       if (b.bundle.ok()) {
                         bundles.emplace(b.jid, std::move(b.bundle).value());
                       } else {
                         s->env_.logger.warn("whatsapp account=" + s->account_.id + " no bundle for " + b.jid + ": " +
                                             b.bundle.error().describe());
                       }
                     }
                   }
                   s->deliverText(c, id, recipient, std::move(targets), std::move(bundles));
                 });
  });
}

void AccountSession::deliverText(const sdk::OutboundCommand& c, const std::string& id, const Jid& to,
                                 std::vector<SendTarget> targets, std::map<std::string, PreKeyBundle> bundles) {
  std::optional<OutboundMedia> media;
  if (auto p = preparedMedia_.find(c.commandId); p != preparedMedia_.end()) {
    media = OutboundMedia{p->second.mediaType, &p->second.encrypted, &p->second.uploaded, nowMs() / 1000};
  }
  auto built = outboundMessage(c, to.toString(), media ? &*media : nullptr);
  if (!built.ok()) {
    sendBusy_ = false;
    fail(c, built.error().code, built.error().message);
    return pumpOutbox();
  }
  if (built->has_reaction_message()) {
    // A reaction names its target by who sent it: ours if we stored it as sent.
    auto sent = env_.storage.findSent(account_.id, c.targetId);
    built->mutable_reaction_message()->mutable_key()->set_from_me(sent.ok() && sent.value().has_value());
  }
  const wire::Message& message = built.value();
  const std::string stanzaType = stanzaTypeOf(message);
  const std::string encMediaType = encMediaTypeOf(message);
  const std::string plain = serialize(message);
  const std::string ownCopy = deviceSentPayload(plain, to.toString());

  SignalTransaction txn(signalStore_);
  SignalProtocol protocol(txn);
  Node::Children participants;
  bool anyPreKey = false;
  bool reachedRecipient = false;
  for (const auto& t : targets) {
    if (auto b = bundles.find(t.jid); b != bundles.end()) {
      if (auto s = protocol.processBundle(t.address, b->second); !s.ok()) {
        env_.logger.warn("whatsapp account=" + account_.id + " bundle of " + t.jid + " refused: " +
                         s.error().describe());
        continue;
      }
    }
    const std::string& payload = t.own ? ownCopy : plain;
    auto enc = protocol.encrypt(t.address, padMessage(asBytes(payload)));
    if (!enc.ok()) {
      env_.logger.warn("whatsapp account=" + account_.id + " cannot encrypt to " + t.jid + ": " +
                       enc.error().describe());
      continue;
    }
    anyPreKey = anyPreKey || enc->type == CipherType::PkMsg;
    reachedRecipient = reachedRecipient || !t.own;
    Node encNode("enc", {{"v", "2"}, {"type", std::string(cipherTypeName(enc->type))}}, std::move(enc->data));
    if (!encMediaType.empty()) {
      encNode.setAttr("mediatype", encMediaType);
    }
    participants.push_back(Node("to", {{"jid", t.jid}}, Node::Children{std::move(encNode)}));
  }
  sendBusy_ = false;
  if (!reachedRecipient) {
    fail(c, "whatsapp.encrypt_failed", "no device of " + to.toString() + " could be encrypted to");
    return pumpOutbox();
  }
  // The ratchet moved and the message may have to be sent again: both are stored first.
  auto writes = toRecordWrites(txn.changes());
  if (!signalStore_.putCommitted(writes).ok() ||
      !env_.storage.saveSent(account_.id, {id, to.toString(), plain, nowMs(), c.commandId}).ok()) {
    env_.logger.warn("whatsapp account=" + account_.id + " storage unavailable; send of " + id + " postponed");
    return postponeSend(c);
  }
  Node::Children children{Node("participants", {}, std::move(participants))};
  if (anyPreKey) {
    if (auto identity = creds_->deviceIdentityForPeers(); identity.ok()) {
      children.push_back(Node("device-identity", {}, std::move(identity).value()));
    }
  }
  Node stanza("message", {{"id", id}, {"to", to.toString()}, {"type", stanzaType}}, std::move(children));
  if (const std::string e = editAttributeOf(message); !e.empty()) {
    stanza.setAttr("edit", e);
  }
  send(std::move(stanza));
  awaitingAck_[id] = c;
  pumpOutbox();
}

void AccountSession::handleMessageAck(const Node& a) {
  if (attrOr(a, "class") != "message") {
    return;
  }
  const std::string id = attrOr(a, "id");
  auto it = awaitingAck_.find(id);
  if (it == awaitingAck_.end()) {
    return;
  }
  sdk::OutboundCommand c = std::move(it->second);
  awaitingAck_.erase(it);
  preparedMedia_.erase(c.commandId);
  const std::string error = attrOr(a, "error");
  groupMessageAcked(id, error.empty() || error == "0");
  if (!error.empty() && error != "0") {
    if (error == "463") {
      env_.metrics.restricted.inc();
      emit("session.restricted", {{"code", error}, {"message_id", id}});
    } else if (error == "429") {
      env_.metrics.rateLimited.inc();
      emit("session.rate_limited", {{"code", error}, {"message_id", id}});
    }
    return fail(c, "whatsapp.server." + error, "the server refused message " + id + " (error " + error + ")");
  }
  env_.metrics.messagesSent.inc();
  sdk::CommandResult r;
  r.commandId = c.commandId;
  r.tenant = c.tenant;
  r.account = c.account;
  r.stage = sdk::ResultStage::Sent;
  r.networkId = id;
  const long long t = std::strtoll(attrOr(a, "t", "0").c_str(), nullptr, 10);
  r.timestamp = t > 0 ? t * 1000 : nowMs();
  env_.inbound.result(r);
}

void AccountSession::handleReceipt(const Node& receipt) {
  const std::string type = attrOr(receipt, "type");
  if (type == "retry") {
    answerRetryReceipt(receipt);
    return ack(receipt);
  }
  ack(receipt);
  std::vector<std::string> ids{attrOr(receipt, "id")};
  if (const Node* list = receipt.child("list")) {
    for (const auto& item : childrenOf(*list)) {
      if (item.tag == "item" && ids.size() < 256) {
        ids.push_back(attrOr(item, "id"));
      }
    }
  }
  std::optional<sdk::ResultStage> stage;
  std::string event;
  if (type.empty() || type == "inactive") {
    stage = sdk::ResultStage::Delivered;
    event = "receipt.delivered";
  } else if (type == "read" || type == "read-self") {
    stage = sdk::ResultStage::Read;
    event = "receipt.read";
  } else if (type == "played" || type == "played-self") {
    event = "receipt.played";
  } else {
    return;  // sender, peer_msg, hist_sync ...: about our own devices
  }
  for (const auto& id : ids) {
    if (id.empty()) {
      continue;
    }
    auto sent = env_.storage.findSent(account_.id, id);
    const std::string commandId = sent.ok() && sent.value() ? sent.value()->commandId : std::string();
    // network_id fills the contract's Receipt.network_id on `events` (the subject is the same id).
    emit(event, {{"from", attrOr(receipt, "from")}, {"participant", attrOr(receipt, "participant")},
                 {"command_id", commandId}, {"network_id", id}},
         id);
    if (stage && !commandId.empty()) {
      sdk::CommandResult r;
      r.commandId = commandId;
      r.tenant = account_.tenant;
      r.account = account_.id;
      r.stage = *stage;
      r.networkId = id;
      r.timestamp = nowMs();
      env_.inbound.result(r);
    }
  }
}

void AccountSession::answerRetryReceipt(const Node& receipt) {
  const std::string id = attrOr(receipt, "id");
  auto device = Jid::parse(attrOr(receipt, "from"));
  if (!device || !creds_) {
    return;
  }
  auto sent = env_.storage.findSent(account_.id, id);
  if (!sent.ok() || !sent.value()) {
    env_.logger.info("whatsapp account=" + account_.id + " retry receipt for unknown message id=" + id);
    return;
  }
  const Node* retry = receipt.child("retry");
  const std::string count = retry ? attrOr(*retry, "count", "1") : "1";
  const SignalAddress address = addressFor(*device);
  SignalTransaction txn(signalStore_);
  SignalProtocol protocol(txn);
  if (receipt.child("keys") != nullptr) {
    auto bundle = parsePreKeyBundle(receipt);
    if (!bundle.ok() || !protocol.processBundle(address, bundle.value()).ok()) {
      env_.logger.warn("whatsapp account=" + account_.id + " retry receipt id=" + id + " carries unusable keys");
      return;
    }
  }
  const bool own = device->user == creds_->user();
  const std::string payload = own ? deviceSentPayload(sent.value()->payload, sent.value()->chat) : sent.value()->payload;
  auto enc = protocol.encrypt(address, padMessage(asBytes(payload)));
  if (!enc.ok()) {
    env_.logger.warn("whatsapp account=" + account_.id + " cannot answer retry id=" + id + ": " + enc.error().describe());
    return;
  }
  if (!signalStore_.putCommitted(toRecordWrites(txn.changes())).ok()) {
    return;  // the sender asks again
  }
  Node::Children children{Node("enc", {{"v", "2"}, {"type", std::string(cipherTypeName(enc->type))}, {"count", count}},
                               std::move(enc->data))};
  if (enc->type == CipherType::PkMsg) {
    if (auto identity = creds_->deviceIdentityForPeers(); identity.ok()) {
      children.push_back(Node("device-identity", {}, std::move(identity).value()));
    }
  }
  send(Node("message", {{"id", id}, {"to", device->toString()}, {"type", "text"}}, std::move(children)));
  env_.logger.info("whatsapp account=" + account_.id + " answered retry id=" + id + " for " + device->toString());
}

sdk::Result<std::vector<std::string>> AccountSession::devicesWithoutSession(const std::vector<SendTarget>& targets) {
  std::vector<std::string> missing;
  SignalTransaction txn(signalStore_);
  SignalProtocol protocol(txn);
  for (const auto& t : targets) {
    auto has = protocol.hasSession(t.address);
    if (!has.ok()) {
      return has.takeError();
    }
    if (!has.value()) {
      missing.push_back(t.jid);
    }
  }
  return missing;
}

Node AccountSession::bundleRequest(const std::vector<std::string>& devices) {
  Node::Children keyUsers;
  for (const auto& jid : devices) {
    keyUsers.push_back(Node("user", {{"jid", jid}}));
  }
  return iq("", "get", "encrypt", Node::Children{Node("key", {}, std::move(keyUsers))});
}

}  // namespace switchboard::whatsapp::connector
