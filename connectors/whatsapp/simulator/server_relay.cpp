// One-to-one message relay: a client's <message> is split per <to> device, each device gets its
// own stanza (queued until it acknowledges it), and the sender gets the server ack
// (protocol notes 7.1 to 7.5). Also the small stanzas: acks, presence, chat states.
#include "simulator/server.hpp"

namespace switchboard::wasim {
namespace {

/// Attributes of the sender's stanza a recipient needs to see as they were.
constexpr std::string_view kCopiedAttrs[] = {"edit", "category", "push_priority", "expiration"};

}  // namespace

void Server::deliver(Account& account, std::uint16_t device, PendingStanza::Kind kind, Node node, Effects& fx) {
  if (device == 0) {
    phoneReceive(account, node, fx);
    return;
  }
  auto it = account.devices.find(device);
  if (it == account.devices.end()) {
    return;
  }
  Device& d = it->second;
  if (auto live = d.live.lock()) {
    live->send(node);
  }
  auto id = attrOr(node, "id");
  auto bytes = stanzaBytes(node);
  d.pending.push(PendingStanza{kind, std::move(id), std::move(node), bytes});
  // Bounded: a device that never comes back (or never acknowledges) loses its oldest stanzas.
  while (d.pending.size() > 1 && (d.pending.size() > options_.maxPendingPerDevice ||
                                  d.pending.bytes() > options_.maxPendingBytesPerDevice)) {
    d.pending.popFront();
    ++d.droppedPending;
  }
}

void Server::acknowledge(Device& device, PendingStanza::Kind kind, const std::vector<std::string_view>& ids) {
  for (auto id : ids) {
    device.pending.acknowledge(kind, id);
  }
}

Node Server::directStanza(const Node& message, const Account& sender, std::uint16_t senderDevice,
                          const Address& target, const std::string& chat) {
  bool own = target.account->phone == sender.phone;
  Jid from = target.lid ? sender.lidJid(senderDevice) : sender.pnJid(senderDevice);
  Node out("message", {{"id", attrOr(message, "id")},
                       {"from", from.toString()},
                       {"type", attrOr(message, "type", "text")},
                       {"t", unixNowText()}});
  if (own) {
    // Our own other devices learn what we sent and to whom (peer messages are not "to" anyone).
    if (attrOr(message, "category") != "peer") {
      out.setAttr("recipient", chat);
    }
  } else {
    // The other form of the sender's address, so the receiver can map PN and LID.
    out.setAttr(target.lid ? "sender_pn" : "sender_lid",
                (target.lid ? sender.pnJid() : sender.lidJid()).toString());
  }
  if (!sender.pushName.empty()) {
    out.setAttr("notify", sender.pushName);
  }
  for (auto key : kCopiedAttrs) {
    if (auto v = message.attr(key)) {
      out.setAttr(std::string(key), std::string(*v));
    }
  }
  return out;
}

void Server::onMessage(Connection& conn, const Node& message, Effects& fx) {
  Account* sender = nullptr;
  Device* senderDevice = sessionDevice(conn, &sender);
  auto id = message.attr("id");
  if (!senderDevice || !id || id->empty() || id->size() > kMaxIdLength) {
    return;
  }
  int error = relayMessage(*sender, conn.session.device, message, fx);
  Node a("ack", {{"class", "message"}, {"id", std::string(*id)}, {"from", attrOr(message, "to")}, {"t", unixNowText()}});
  if (error != 0) {
    a.setAttr("error", std::to_string(error));
  } else {
    fx.events.push_back(SimEvent{SimEvent::Kind::MessageRelayed, sender->phone, conn.session.device, conn.id(),
                                 std::string(*id)});
  }
  conn.send(a);
}

int Server::relayMessage(Account& sender, std::uint16_t senderDevice, const Node& message, Effects& fx) {
  auto toText = attrOr(message, "to");
  auto to = Jid::parse(toText);
  if (!to) {
    return 400;
  }
  if (to->server == whatsapp::kGroupServer) {
    return relayGroupMessage(sender, senderDevice, message, *to, fx);
  }
  if (to->server != whatsapp::kUserServer && to->server != whatsapp::kLidServer) {
    return 404;  // broadcast lists, status and newsletters are not simulated
  }
  const Node* identity = message.child("device-identity");
  auto withPayload = [&](Node out, const Node& enc) {
    out.content = Node::Children{enc};
    if (identity) {
      std::get<Node::Children>(out.content).push_back(*identity);
    }
    return out;
  };

  if (const Node* participants = message.child("participants")) {
    Jid chat = *to;
    chat.device = 0;
    chat.form = Jid::Form::Pair;
    auto chatAddress = world_.resolve(chat);
    if (!chatAddress) {
      return 404;
    }
    addPeers(sender, *chatAddress->account);
    auto targets = childrenNamed(*participants, "to");
    if (targets.size() > 1024) {
      return 400;
    }
    for (const Node* target : targets) {
      const Node* enc = target->child("enc");
      auto address = world_.resolve(attrOr(*target, "jid"));
      if (!enc || !enc->bytes() || !address) {
        continue;  // a device we do not know: the sender's device list is stale, nothing to deliver
      }
      bool toChat = address->account == chatAddress->account;
      bool toOwn = address->account == &sender;
      if ((!toChat && !toOwn) || (toOwn && address->device == senderDevice)) {
        continue;
      }
      auto out = withPayload(directStanza(message, sender, senderDevice, *address, toText), *enc);
      deliver(*address->account, address->device, PendingStanza::Kind::Message, std::move(out), fx);
    }
    return 0;
  }
  // One <enc> straight under <message>: a retry resend to one device, or a peer message to our
  // own phone.
  auto encs = childrenNamed(message, "enc");
  auto address = world_.resolve(*to);
  if (encs.size() != 1 || !encs.front()->bytes()) {
    return 400;
  }
  if (!address) {
    return 404;
  }
  if (attrOr(message, "category") == "peer" && address->account != &sender) {
    return 403;
  }
  if (address->account == &sender && address->device == senderDevice) {
    return 400;
  }
  // To our own device, `recipient` names the chat; `to` is the device itself.
  auto chat = attrOr(message, "recipient", toText);
  auto out = withPayload(directStanza(message, sender, senderDevice, *address, chat), *encs.front());
  deliver(*address->account, address->device, PendingStanza::Kind::Message, std::move(out), fx);
  return 0;
}

void Server::onAck(Connection& conn, const Node& ack) {
  Device* d = sessionDevice(conn);
  auto id = ack.attr("id");
  if (!d || !id) {
    return;
  }
  auto cls = attrOr(ack, "class");
  PendingStanza::Kind kind;
  if (cls == "message") {
    kind = PendingStanza::Kind::Message;
  } else if (cls == "receipt") {
    kind = PendingStanza::Kind::Receipt;
  } else if (cls == "notification") {
    kind = PendingStanza::Kind::Notification;
  } else {
    return;
  }
  acknowledge(*d, kind, {*id});
}

void Server::onPresence(Connection& conn, const Node& presence) {
  Account* account = nullptr;
  sessionDevice(conn, &account);
  if (!account) {
    return;
  }
  if (auto name = presence.attr("name"); name && !name->empty() && name->size() <= 256) {
    account->pushName = std::string(*name);
  }
  // A subscription is answered with the contact's presence: available when any companion is online.
  if (attrOr(presence, "type") == "subscribe") {
    auto target = world_.resolve(attrOr(presence, "to"));
    if (!target) {
      return;
    }
    bool online = false;
    for (const auto& [id, d] : target->account->devices) {
      online = online || !d.live.expired();
    }
    Jid from = target->lid ? target->account->lidJid() : target->account->pnJid();
    conn.send(Node("presence", {{"from", from.toString()}, {"type", online ? "available" : "unavailable"}}));
  }
}

void Server::onChatstate(Connection& conn, const Node& chatstate) {
  Account* sender = nullptr;
  sessionDevice(conn, &sender);
  auto target = world_.resolve(attrOr(chatstate, "to"));
  if (!sender || !target || target->account == sender) {
    return;
  }
  // Typing indicators are fire-and-forget: online devices only, never queued.
  Node out("chatstate", {{"from", (target->lid ? sender->lidJid() : sender->pnJid()).toString()}});
  if (const auto* kids = chatstate.children(); kids && kids->size() == 1) {
    out.content = Node::Children{Node(kids->front().tag, kids->front().attrs)};
  }
  for (auto& [id, d] : target->account->devices) {
    if (auto live = d.live.lock()) {
      live->send(out);
    }
  }
}

}  // namespace switchboard::wasim
