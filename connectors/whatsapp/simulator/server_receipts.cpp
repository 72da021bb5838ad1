// Receipts: a client's <receipt> acknowledges the messages it names (they leave its queue), gets
// a server ack, and is forwarded to the device(s) it concerns; retry receipts go to the one
// device that sent the message. The simulated phone receives into its inbox and answers with
// delivery receipts (protocol notes 7.5 to 7.7).

#include "simulator/server.hpp"

namespace switchboard::wasim {
namespace {

constexpr std::size_t kMaxReceiptItems = 1024;
constexpr std::size_t kMaxPhoneInbox = 2000;
/// Ciphertext kept per inbox entry (enough to decrypt any text; media travels by reference).
constexpr std::size_t kMaxInboxCiphertext = 64u << 10;

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
  // (Views into the receipt, which outlives the call; an id named twice finds nothing the second time.)
  std::vector<std::string_view> ids{*id};
  if (const Node* list = receipt.child("list")) {
    auto items = childrenNamed(*list, "item");
    for (std::size_t i = 0; i < items.size() && i < kMaxReceiptItems; ++i) {
      if (auto item = items[i]->attr("id"); item && item->size() <= kMaxIdLength) {
        ids.push_back(*item);
      }
    }
  }
  acknowledge(*readerDevice, PendingStanza::Kind::Message, ids);

  relayReceipt(*reader, conn.session.device, receipt, fx);
}

void Server::relayReceipt(Account& readerAccount, std::uint16_t readerDevice, const Node& receipt, Effects& fx) {
  Account* reader = &readerAccount;
  auto id = receipt.attr("id");
  auto toText = attrOr(receipt, "to");
  auto type = attrOr(receipt, "type");
  if (!id || type == "peer_msg" || type == "hist_sync" || type == "server-error") {
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
  Jid readerJid = lid ? reader->lidJid(readerDevice) : reader->pnJid(readerDevice);
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
    if (!(self && d == readerDevice)) {
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
    inbox.pop_front();
  }
  PhoneInboxEntry e;
  e.id = attrOr(node, "id");
  e.from = attrOr(node, "from");
  e.participant = attrOr(node, "participant");
  e.type = attrOr(node, "type");
  e.t = unixNow();
  bool receipt = node.tag == "receipt";
  if (receipt) {
    e.encType = "receipt";
  }
  for (const Node* enc : childrenNamed(node, "enc")) {
    // The pairwise <enc> is what a phone decrypts first; a group stanza may add the skmsg.
    if (e.encType.empty() || attrOr(*enc, "type") != "skmsg") {
      e.encType = attrOr(*enc, "type");
      if (enc->bytes() && enc->bytes()->size() <= kMaxInboxCiphertext) {
        e.ciphertext = *enc->bytes();
      }
    }
  }
  auto id = e.id;
  inbox.push_back(std::move(e));
  // The phone's own Signal work happens on its strand: tell it who the author is, in the LID
  // form its sessions are keyed by.
  bool group = !attrOr(node, "participant").empty();
  auto author = world_.resolve(attrOr(node, group ? "participant" : "from"));
  if (!author || !account.primary.agent || (receipt && attrOr(node, "type") != "retry")) {
    fx.events.push_back(SimEvent{SimEvent::Kind::PhoneReceived, account.phone, 0, 0, id});
    return;
  }
  PhoneIncoming in;
  in.stanza = node;
  in.authorLid = author->account->lidJid(author->device).toString();
  in.ownAuthor = author->account == &account;
  if (group) {
    in.group = attrOr(node, "from");
  }
  account.primary.agent->receive(std::move(in));
}

}  // namespace switchboard::wasim
