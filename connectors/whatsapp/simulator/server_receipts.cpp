// Receipts: a client's <receipt> acknowledges the messages it names (they leave its queue), gets
// a server ack, and is forwarded to the device(s) it concerns; retry receipts go to the one
// device that sent the message. The simulated phone receives into its inbox and answers with
// delivery receipts (protocol notes 7.5 to 7.7).
#include <unordered_set>

#include "simulator/server.hpp"

namespace switchboard::wasim {
namespace {

constexpr std::size_t kMaxReceiptItems = 1024;
constexpr std::size_t kMaxPhoneInbox = 10'000;

}  // namespace

void Server::onReceipt(Connection& conn, const Node& receipt, Effects& fx) {
  Account* reader = nullptr;
  Device* readerDevice = sessionDevice(conn, &reader);
  auto id = receipt.attr("id");
  if (!readerDevice || !id || id->empty() || id->size() > kMaxIdLength) {
    return;
  }
  auto toText = attrOr(receipt, "to");
  auto type = attrOr(receipt, "type");
  Node ack("ack", {{"class", "receipt"}, {"id", std::string(*id)}, {"from", toText}});
  if (!type.empty()) {
    ack.setAttr("type", type);
  }
  conn.send(ack);

  // Every receipt acknowledges the messages it names, whatever else it says.
  std::unordered_set<std::string> ids{std::string(*id)};
  if (const Node* list = receipt.child("list")) {
    auto items = childrenNamed(*list, "item");
    for (std::size_t i = 0; i < items.size() && i < kMaxReceiptItems; ++i) {
      if (auto item = items[i]->attr("id"); item && item->size() <= kMaxIdLength) {
        ids.insert(std::string(*item));
      }
    }
  }
  std::erase_if(readerDevice->pending, [&](const PendingStanza& p) {
    return p.kind == PendingStanza::Kind::Message && ids.count(p.id);
  });

  if (type == "peer_msg" || type == "hist_sync" || type == "server-error") {
    return;  // for the server only
  }
  auto to = Jid::parse(toText);
  if (!to) {
    return;
  }
  bool group = to->server == whatsapp::kGroupServer;
  std::optional<Address> target;
  bool self = type == "read-self" || type == "played-self" || type == "sender";
  if (self) {
    target = Address{reader, 0, false};
  } else if (group) {
    target = world_.resolve(attrOr(receipt, "participant"));
  } else {
    target = world_.resolve(*to);
  }
  if (!target) {
    return;
  }
  bool lid = target->lid;
  if (group) {
    const Group* g = world_.group(to->user);
    lid = !g || g->lidAddressed;
  }
  Jid readerJid = lid ? reader->lidJid(conn.session.device) : reader->pnJid(conn.session.device);
  Node out("receipt", {{"id", std::string(*id)}, {"t", unixNowText()}});
  if (group) {
    out.setAttr("from", toText);
    out.setAttr("participant", readerJid.toString());
  } else {
    out.setAttr("from", readerJid.toString());
  }
  if (self && !group) {
    out.setAttr("recipient", toText);
  }
  // A client not yet marked available says "inactive"; the sender sees it as delivered.
  if (!type.empty() && type != "inactive") {
    out.setAttr("type", type);
  }
  if (const auto* kids = receipt.children()) {
    out.content = *kids;  // <list>, and for retries <retry>, <registration>, <keys>
  }
  // A device part names one device (the sender of a message); a bare user means all of them.
  bool oneDevice = false;
  if (!self) {
    auto named = group ? Jid::parse(attrOr(receipt, "participant")) : to;
    oneDevice = named && named->form == Jid::Form::AgentDevice;
  }
  Account& account = *target->account;
  if (oneDevice) {
    deliver(account, target->device, PendingStanza::Kind::Receipt, std::move(out), fx);
    return;
  }
  std::vector<std::uint16_t> devices;
  for (const auto& [d, dev] : account.devices) {
    if (!(self && d == conn.session.device)) {
      devices.push_back(d);
    }
  }
  for (auto d : devices) {
    deliver(account, d, PendingStanza::Kind::Receipt, out, fx);
  }
  if (!self) {
    deliver(account, 0, PendingStanza::Kind::Receipt, std::move(out), fx);
  }
}

void Server::phoneReceive(Account& account, const Node& node, Effects& fx) {
  auto& inbox = account.primary.inbox;
  if (inbox.size() >= kMaxPhoneInbox) {
    inbox.erase(inbox.begin());
  }
  PhoneInboxEntry e;
  e.id = attrOr(node, "id");
  e.from = attrOr(node, "from");
  e.participant = attrOr(node, "participant");
  e.type = attrOr(node, "type");
  e.t = unixNow();
  if (node.tag == "receipt") {
    e.encType = "receipt";
    inbox.push_back(std::move(e));
    return;
  }
  for (const Node* enc : childrenNamed(node, "enc")) {
    // The pairwise <enc> is what a phone decrypts first; a group stanza may add the skmsg.
    if (e.encType.empty() || attrOr(*enc, "type") != "skmsg") {
      e.encType = attrOr(*enc, "type");
      if (enc->bytes()) {
        e.ciphertext = *enc->bytes();
      }
    }
  }
  auto id = e.id;
  auto from = e.from;
  auto participant = e.participant;
  inbox.push_back(std::move(e));
  fx.events.push_back(SimEvent{SimEvent::Kind::PhoneReceived, account.phone, 0, 0, id});

  // Like any phone, it confirms delivery to the device that sent the message.
  bool group = !participant.empty();
  auto sender = world_.resolve(group ? participant : from);
  if (!sender) {
    return;
  }
  Node receipt("receipt", {{"id", id}, {"t", unixNowText()}});
  if (group) {
    receipt.setAttr("from", from);
    receipt.setAttr("participant", (sender->lid ? account.lidJid() : account.pnJid()).toString());
  } else {
    receipt.setAttr("from", (sender->lid ? account.lidJid() : account.pnJid()).toString());
  }
  if (sender->account != &account || sender->device != 0) {
    deliver(*sender->account, sender->device, PendingStanza::Kind::Receipt, std::move(receipt), fx);
  }
}

}  // namespace switchboard::wasim
