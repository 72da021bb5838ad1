// What the simulated phones' agents ask of the server (PhoneHost), and the phone-send API. Each
// call takes the lock; the Signal work stays on the agent's strand.
#include "simulator/server.hpp"

namespace switchboard::wasim {

std::optional<std::vector<PhoneTarget>> Server::phoneTargets(
    const std::string& phone, const std::string& chatJid,
    const std::function<bool(const whatsapp::SignalAddress&)>& hasSession) {
  std::lock_guard lock(mutex_);
  Account* self = world_.account(phone);
  auto chat = world_.resolve(chatJid);
  if (!self || !chat) {
    return std::nullopt;
  }
  // Devices are named the way the chat is (phone number or LID); sessions always by LID.
  bool lid = chat->lid;
  std::vector<PhoneTarget> out;
  auto add = [&](Account& a, std::uint16_t device, bool own) {
    PhoneTarget t;
    t.jid = (lid ? a.lidJid(device) : a.pnJid(device)).toString();
    t.address = whatsapp::SignalAddress::fromJid(a.lidJid(device));
    t.own = own;
    if (!hasSession(t.address)) {
      t.bundle = takeBundle(a, device);
      if (!t.bundle) {
        return;
      }
    }
    out.push_back(std::move(t));
  };
  Account& other = *chat->account;
  if (&other != self) {
    add(other, 0, false);
    for (const auto& [device, d] : other.devices) {
      add(other, device, false);
    }
  }
  for (const auto& [device, d] : self->devices) {
    add(*self, device, true);
  }
  return out;
}

std::optional<PhoneTarget> Server::ownCompanion(const std::string& phone, std::uint16_t device) {
  std::lock_guard lock(mutex_);
  Account* self = world_.account(phone);
  if (!self || !self->devices.count(device)) {
    return std::nullopt;
  }
  PhoneTarget t;
  t.jid = self->pnJid(device).toString();
  t.address = whatsapp::SignalAddress::fromJid(self->lidJid(device));
  t.own = true;
  t.bundle = takeBundle(*self, device);
  return t;
}

int Server::phoneSend(const std::string& phone, const Node& stanza) {
  Effects fx;
  int error = 0;
  {
    std::lock_guard lock(mutex_);
    Account* self = world_.account(phone);
    if (!self) {
      return 404;
    }
    if (stanza.tag == "message") {
      error = relayMessage(*self, 0, stanza, fx);
      if (error == 0) {
        fx.events.push_back(SimEvent{SimEvent::Kind::MessageRelayed, phone, 0, 0, attrOr(stanza, "id")});
      }
    } else if (stanza.tag == "receipt") {
      relayReceipt(*self, 0, stanza, fx);
    }
  }
  fire(fx);
  return error;
}

void Server::phoneDecrypted(const std::string& phone, const std::string& id, const std::string& text,
                            const std::string& error) {
  Effects fx;
  {
    std::lock_guard lock(mutex_);
    Account* self = world_.account(phone);
    if (!self) {
      return;
    }
    auto& inbox = self->primary.inbox;
    for (auto it = inbox.rbegin(); it != inbox.rend(); ++it) {
      if (it->id == id && it->encType != "receipt") {
        it->text = text;
        it->error = error;
        break;
      }
    }
    fx.events.push_back(SimEvent{SimEvent::Kind::PhoneReceived, phone, 0, 0, id});
  }
  fire(fx);
}

void Server::phonePreKeys(const std::string& phone, const std::vector<whatsapp::PreKeyPublic>& keys) {
  std::lock_guard lock(mutex_);
  if (Account* self = world_.account(phone)) {
    for (const auto& k : keys) {
      self->primary.preKeys.push_back(PreKey{k.id, k.pub, {}});
    }
    self->primary.topUpRequested = false;
  }
}

sdk::Result<std::string> Server::phoneSendText(std::string_view phone, std::string_view to, std::string_view text) {
  std::shared_ptr<PhoneAgent> agent;
  {
    std::lock_guard lock(mutex_);
    Account* self = world_.account(std::string(phone));
    if (!self) {
      return sdk::Error::permanent("wasim.not_found", "no account " + std::string(phone));
    }
    auto chat = world_.resolve(to);
    if (!chat || chat->device != 0) {
      return sdk::Error::permanent("wasim.not_found", "\"" + std::string(to) + "\" is not the JID of an account");
    }
    if (text.size() > 65536) {
      return sdk::Error::permanent("wasim.invalid", "a text is at most 64 KiB");
    }
    agent = self->primary.agent;
  }
  auto id = newMessageId();
  agent->sendText(std::string(to), std::string(text), id);
  return id;
}

}  // namespace switchboard::wasim
