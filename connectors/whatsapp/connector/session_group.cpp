// Groups: a send to `<id>@g.us` fetches the group's members (cached until a w:gp2 notification),
// their devices, and hands our sender key (SKDM, pairwise) to each device that has not had it;
// the content itself goes once, encrypted under the sender key (skmsg). Which devices hold our
// key is learnt from the server's ack, so a send lost with its connection distributes it again.
// Group change notifications become events.

#include <set>

#include "connector/account_session.hpp"
#include "connector/device_list.hpp"
#include "connector/group_info.hpp"
#include "connector/outbound_content.hpp"
#include "connector/stanza.hpp"
#include "signal/bundle_nodes.hpp"
#include "signal/padding.hpp"
#include "signal/protocol.hpp"
#include "signal/transaction.hpp"

namespace switchboard::whatsapp::connector {

namespace {

constexpr std::size_t kMaxCachedGroups = 256;

std::int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    out += (out.empty() ? "" : ",") + i;
  }
  return out;
}

}  // namespace

void AccountSession::onGroupNotification(const Node& notification) {
  const std::string group = attrOr(notification, "from");
  groups_.erase(group);  // members or settings changed: fetched again on the next send
  static const std::map<std::string, std::string> kEvents = {
      {"add", "group.participants_added"},      {"remove", "group.participants_removed"},
      {"leave", "group.participants_left"},     {"promote", "group.participants_promoted"},
      {"demote", "group.participants_demoted"}, {"subject", "group.subject_changed"},
      {"create", "group.created"},              {"description", "group.description_changed"},
  };
  for (const auto& change : parseGroupNotification(notification)) {
    auto known = kEvents.find(change.action);
    std::map<std::string, std::string> attrs = change.attributes;
    attrs["group"] = group;
    attrs["action"] = change.action;
    attrs["author"] = attrOr(notification, "participant");
    attrs["participants"] = joined(change.participants);
    emit(known == kEvents.end() ? "group.changed" : known->second, std::move(attrs), group);
  }
}

void AccountSession::sendToGroup(const sdk::OutboundCommand& c, const Jid& group) {
  sendBusy_ = true;
  const std::string jid = group.toString();
  auto proceed = [weak = weak_from_this(), c, group](const GroupInfo& info) {
    if (auto self = weak.lock()) {
      self->groupDevices(c, group, info);
    }
  };
  if (auto cached = groups_.find(jid); cached != groups_.end()) {
    return proceed(cached->second);
  }
  sendIq(groupInfoQuery(jid), [weak = weak_from_this(), c, jid, proceed](sdk::Result<Node> reply) {
    auto self = weak.lock();
    if (!self) {
      return;
    }
    auto info = reply.ok() ? parseGroupInfo(reply.value()) : sdk::Result<GroupInfo>(reply.error());
    if (!info.ok()) {
      self->sendBusy_ = false;
      if (info.error().isRetriable()) {
        self->outbox_.push_front(c);
        return;
      }
      self->fail(c, info.error().code, "group " + jid + " unavailable: " + info.error().message);
      return self->pumpOutbox();
    }
    if (self->groups_.size() >= kMaxCachedGroups) {
      self->groups_.clear();
    }
    self->groups_[jid] = info.value();
    proceed(info.value());
  });
}

void AccountSession::groupDevices(const sdk::OutboundCommand& c, const Jid& group, const GroupInfo& info) {
  std::vector<std::string> members;
  std::set<std::string> seen;
  for (const auto& p : info.participants) {
    if (auto j = Jid::parse(p.jid); j && seen.insert(j->user + "@" + j->server).second) {
      members.push_back(Jid::pair(j->user, j->server).toString());
    }
  }
  const bool lidGroup = info.addressingMode == "lid";
  sendIq(usyncDevicesQuery(iqs_.nextId(), members), [weak = weak_from_this(), c, group, lidGroup](sdk::Result<Node> reply) {
    auto self = weak.lock();
    if (!self) {
      return;
    }
    auto users = reply.ok() ? parseUsyncDevices(reply.value()) : sdk::Result<std::vector<UserDevices>>(reply.error());
    if (!users.ok()) {
      self->sendBusy_ = false;
      if (users.error().isRetriable()) {
        self->outbox_.push_front(c);
        return;
      }
      self->fail(c, users.error().code, "group device lists unavailable: " + users.error().message);
      return self->pumpOutbox();
    }
    const std::string ownPn = self->creds_->user();
    const std::string ownLid = Jid::parse(self->creds_->lid).value_or(Jid{}).user;
    const std::uint16_t ownDevice = self->creds_->device();
    const auto& holders = self->skdmHolders_[group.toString()];
    std::vector<SendTarget> needKey;
    for (const auto& u : users.value()) {
      auto user = Jid::parse(u.jid);
      if (!user) {
        continue;
      }
      const bool own = user->user == ownPn || (!ownLid.empty() && user->user == ownLid);
      for (auto d : u.devices) {
        if (own && d == ownDevice) {
          continue;
        }
        Jid device = d == 0 ? Jid::pair(user->user, user->server) : Jid::withDevice(user->user, d, user->server);
        if (holders.count(device.toString()) == 0) {
          needKey.push_back({device.toString(), self->addressFor(Jid::withDevice(user->user, d, user->server)), own});
        }
      }
    }
    // Devices we have no pairwise session with need their bundle before they can get our key.
    auto missing = self->devicesWithoutSession(needKey);
    if (!missing.ok()) {
      self->sendBusy_ = false;
      self->outbox_.push_front(c);
      return;
    }
    if (missing.value().empty()) {
      return self->deliverGroup(c, group, lidGroup, std::move(needKey), {});
    }
    self->sendIq(bundleRequest(missing.value()),
                 [weak, c, group, lidGroup, needKey = std::move(needKey)](sdk::Result<Node> keys) mutable {
                   auto s = weak.lock();
                   if (!s) {
                     return;
                   }
                   if (!keys.ok() && keys.error().isRetriable()) {
                     s->sendBusy_ = false;
                     s->outbox_.push_front(c);
                     return;
                   }
                   std::map<std::string, PreKeyBundle> bundles;
                   if (keys.ok()) {
                     if (auto parsed = parsePreKeyBundles(keys.value()); parsed.ok()) {
                       for (auto& b : parsed.value()) {
                         if (b.bundle.ok()) {
                           bundles.emplace(b.jid, std::move(b.bundle).value());
                         }
                       }
                     }
                   }
                   s->deliverGroup(c, group, lidGroup, std::move(needKey), std::move(bundles));
                 });
  });
}

void AccountSession::deliverGroup(const sdk::OutboundCommand& c, const Jid& group, bool lidGroup,
                                  std::vector<SendTarget> needKey, std::map<std::string, PreKeyBundle> bundles) {
  const std::string id = messageIdForCommand(account_.id, c.commandId);
  const std::string groupJid = group.toString();
  std::optional<OutboundMedia> media;
  if (auto p = preparedMedia_.find(c.commandId); p != preparedMedia_.end()) {
    media = OutboundMedia{p->second.mediaType, &p->second.encrypted, &p->second.uploaded, nowMillis() / 1000};
  }
  auto built = outboundMessage(c, groupJid, media ? &*media : nullptr);
  if (!built.ok()) {
    sendBusy_ = false;
    fail(c, built.error().code, built.error().message);
    return pumpOutbox();
  }
  const std::string plain = built->SerializeAsString();
  // Our sender key is named by the address the server will give as `participant`: the LID in
  // LID-addressed groups.
  const auto lid = Jid::parse(creds_->lid);
  const Jid ownDevice = lidGroup && lid ? Jid::withDevice(lid->user, creds_->device(), kLidServer)
                                        : Jid::withDevice(creds_->user(), creds_->device(), kUserServer);
  const SenderKeyName own{groupJid, SignalAddress::fromJid(ownDevice)};

  SignalTransaction txn(signalStore_);
  SignalProtocol protocol(txn);
  auto skdm = protocol.senderKeyDistribution(own);
  auto skmsg = skdm.ok() ? protocol.groupEncrypt(own, padMessage(asBytes(plain)))
                         : sdk::Result<Bytes>(skdm.error());
  if (!skmsg.ok()) {
    sendBusy_ = false;
    fail(c, "whatsapp.encrypt_failed", "sender key encryption for " + groupJid + " failed: " + skmsg.error().describe());
    return pumpOutbox();
  }
  wire::Message keyMessage;
  keyMessage.mutable_sender_key_distribution_message()->set_group_id(groupJid);
  keyMessage.mutable_sender_key_distribution_message()->set_axolotl_sender_key_distribution_message(
      std::string(asChars(skdm.value())));
  const std::string keyPlain = keyMessage.SerializeAsString();

  Node::Children participants;
  std::vector<std::string> handedKey;
  bool anyPreKey = false;
  for (const auto& t : needKey) {
    if (auto b = bundles.find(t.jid); b != bundles.end()) {
      if (!protocol.processBundle(t.address, b->second).ok()) {
        continue;
      }
    }
    auto enc = protocol.encrypt(t.address, padMessage(asBytes(keyPlain)));
    if (!enc.ok()) {
      env_.logger.warn("whatsapp account=" + account_.id + " no sender key for " + t.jid + ": " +
                       enc.error().describe());
      continue;  // that device asks for a retry and gets the message pairwise
    }
    anyPreKey = anyPreKey || enc->type == CipherType::PkMsg;
    handedKey.push_back(t.jid);
    participants.push_back(Node("to", {{"jid", t.jid}},
                                Node::Children{Node("enc", {{"v", "2"}, {"type", std::string(cipherTypeName(enc->type))}},
                                                    std::move(enc->data))}));
  }
  sendBusy_ = false;
  auto writes = toRecordWrites(txn.changes());
  if (!signalStore_.putCommitted(writes).ok() ||
      !env_.storage.saveSent(account_.id, {id, groupJid, plain, nowMillis(), c.commandId}).ok()) {
    env_.logger.warn("whatsapp account=" + account_.id + " storage unavailable; group send of " + id + " postponed");
    return postponeSend(c);
  }
  Node::Children children;
  if (!participants.empty()) {
    children.push_back(Node("participants", {}, std::move(participants)));
  }
  Node skNode("enc", {{"v", "2"}, {"type", "skmsg"}}, std::move(skmsg).value());
  if (const std::string mt = encMediaTypeOf(built.value()); !mt.empty()) {
    skNode.setAttr("mediatype", mt);
  }
  children.push_back(std::move(skNode));
  if (anyPreKey) {
    if (auto identity = creds_->deviceIdentityForPeers(); identity.ok()) {
      children.push_back(Node("device-identity", {}, std::move(identity).value()));
    }
  }
  Node stanza("message", {{"id", id}, {"to", groupJid}, {"type", stanzaTypeOf(built.value())}}, std::move(children));
  if (lidGroup) {
    stanza.setAttr("addressing_mode", "lid");
  }
  if (const std::string e = editAttributeOf(built.value()); !e.empty()) {
    stanza.setAttr("edit", e);
  }
  send(stanza);
  awaitingAck_[id] = c;
  if (pendingKeyHolders_.size() > 1000) {
    pendingKeyHolders_.clear();
  }
  pendingKeyHolders_[id] = {groupJid, std::move(handedKey)};
  pumpOutbox();
}

void AccountSession::groupMessageAcked(const std::string& id, bool accepted) {
  auto it = pendingKeyHolders_.find(id);
  if (it == pendingKeyHolders_.end()) {
    return;
  }
  if (accepted) {
    auto& holders = skdmHolders_[it->second.first];
    holders.insert(it->second.second.begin(), it->second.second.end());
  }
  pendingKeyHolders_.erase(it);
}

}  // namespace switchboard::whatsapp::connector
